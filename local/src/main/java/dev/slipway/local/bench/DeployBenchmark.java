package dev.slipway.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.LocalRuntime;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Deploy speed through the local runtime's HTTP API, each ratio measured in the same run:
 * <ol>
 *   <li>Redeploy of an unchanged tree (the release is reused: no build) against the first deploy of
 *       that tree (a build with a warm dependency cache). Goal: the redeploy under 1 s.</li>
 *   <li>The Build step with a dependency-cache hit against one with a fresh cache folder (npm
 *       downloads everything). Goal: warm at most 40 % of cold.</li>
 *   <li>Direct upload of a generated {@code files}-file site (html, js, css, png) end to end (POST
 *       releases, PUT every required file, 32 at a time, finalize) against the same site with one
 *       file changed. Goal: at most 5 %.</li>
 * </ol>
 * The app is a real Vite + React app whose lockfile is {@code shared/src/test/resources/fixtures/vite-react}'s.
 * <p>
 * Run: {@code ./slipway bench deploy [rounds] [files] [buildRounds]} (defaults 5, 5000, 2).
 */
public final class DeployBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final int PUTS_IN_FLIGHT = 32;

    public static void main(String[] args) {
        BenchApi.exitAfter(() -> measure(args));
    }

    static void measure(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int buildRounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-deploy-");
        Path data = work.resolve("data");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(data).template(home.resolve("template.yaml")).build())) {
            System.out.printf("deploy benchmark: %d rounds (median), %d build rounds, %d-file upload site%n", rounds, buildRounds, files);

            // ---- 2. builds: fresh cache folder vs dependency-cache hit (also the first deploys for 1.)
            create(runtime, "vite");
            List<Long> coldBuild = new ArrayList<>(), warmBuild = new ArrayList<>(), firstDeploy = new ArrayList<>();
            int edition = 0;
            for (int r = 0; r < buildRounds; r++) {
                deleteTree(data.resolve("build-cache").resolve("deps"));
                deleteTree(data.resolve("build-cache").resolve("npm-cache"));
                importApp(runtime, "vite", viteApp(home, "Edition " + (++edition)));
                Timed cold = deploy(runtime, "vite", "{}");
                coldBuild.add(stepNanos(cold.deployment, "Build"));
                importApp(runtime, "vite", viteApp(home, "Edition " + (++edition)));
                Timed warm = deploy(runtime, "vite", "{}");
                warmBuild.add(stepNanos(warm.deployment, "Build"));
                firstDeploy.add(warm.nanos);
                System.out.printf("  build round %d: cold deploy %.1f s (Build %.1f s), warm deploy %.1f s (Build %.1f s)%n", r + 1,
                        cold.nanos / 1e9, coldBuild.get(r) / 1e9, warm.nanos / 1e9, warmBuild.get(r) / 1e9);
            }

            // ---- 1. redeploy of the unchanged tree: the release is reused
            List<Long> redeploy = new ArrayList<>(), redeploySteps = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Timed t = deploy(runtime, "vite", "{}");
                if (!t.deployment.path("reusedRelease").asBoolean()) {
                    throw new IllegalStateException("the redeploy built: " + t.deployment);
                }
                redeploy.add(t.nanos);
                redeploySteps.add(Duration.between(Instant.parse(t.deployment.path("createdAt").asText()),
                        Instant.parse(t.deployment.path("finishedAt").asText())).toNanos());
            }
            System.out.println();
            System.out.printf("%-44s %9.1f ms   first deploy (build, warm cache) %9.1f ms   ratio %5.1f %%   goal <= 1000 ms: %s%n",
                    "redeploy of an unchanged tree (API→SUCCEEDED)", ms(redeploy), ms(firstDeploy), 100 * ms(redeploy) / ms(firstDeploy),
                    ms(redeploy) <= 1000 ? "met" : "MISSED");
            System.out.printf("%-44s %9.1f ms   (createdAt → finishedAt of the deployment record)%n", "  of which the workflow", ms(redeploySteps));
            System.out.printf("%-44s %9.1f ms   Build with a fresh cache folder   %9.1f ms   ratio %5.1f %%   goal <= 40 %%: %s%n",
                    "Build step, dependency cache hit", ms(warmBuild), ms(coldBuild), 100 * ms(warmBuild) / ms(coldBuild),
                    ms(warmBuild) <= 0.4 * ms(coldBuild) ? "met" : "MISSED");

            // ---- 3. direct upload: whole site vs one changed file
            Map<String, byte[]> site = generateSite(files, new Random(7));
            long siteBytes = site.values().stream().mapToLong(b -> b.length).sum();
            upload(runtime, "upload-warm", site); // JIT, connection pools
            List<Upload> full = new ArrayList<>(), changed = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                String app = "upload-" + r;
                create(runtime, app);
                full.add(upload(runtime, app, site));
                Map<String, byte[]> next = new LinkedHashMap<>(site);
                next.put("/index.html", ("<!doctype html><h1>round " + r + "</h1>\n").getBytes(StandardCharsets.UTF_8));
                changed.add(upload(runtime, app, next));
            }
            Upload f = Upload.median(full), c = Upload.median(changed);
            System.out.printf("%-44s %9.1f ms   (create %.0f, PUT %.0f, finalize %.0f ms; %,d files, %,d bytes uploaded of %,d)%n",
                    "direct upload, " + String.format("%,d", files) + " new files", f.total / 1e6, f.create / 1e6, f.put / 1e6, f.fin / 1e6,
                    f.uploads, f.bytes, siteBytes);
            System.out.printf("%-44s %9.1f ms   (create %.0f, PUT %.0f, finalize %.0f ms; %,d files, %,d bytes uploaded)%n",
                    "direct upload, one file changed", c.total / 1e6, c.create / 1e6, c.put / 1e6, c.fin / 1e6, c.uploads, c.bytes);
            System.out.printf("%-44s %5.1f %%   goal <= 5 %%: %s%n", "  ratio changed / new", 100.0 * c.total / f.total,
                    c.total <= 0.05 * f.total ? "met" : "MISSED");
        } finally {
            deleteTree(work);
        }
    }

    // ---- deploys

    record Timed(long nanos, JsonNode deployment) {
    }

    static Timed deploy(LocalRuntime runtime, String app, String body) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> started = call(runtime, "POST", "/apps/" + app + "/deployments", body);
        if (started.statusCode() != 202) {
            throw new IllegalStateException("deploy: " + started.body());
        }
        String id = Json.parse(started.body()).path("deploymentId").asText();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(call(runtime, "GET", "/apps/" + app + "/deployments/" + id, null).body());
            String status = d.path("status").asText();
            if (!status.equals("RUNNING")) {
                long nanos = System.nanoTime() - t;
                if (!status.equals("SUCCEEDED")) {
                    throw new IllegalStateException("deployment " + id + " " + status + ": " + d);
                }
                return new Timed(nanos, d);
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("deployment " + id + " still running after 10 minutes");
    }

    static long stepNanos(JsonNode deployment, String name) {
        for (JsonNode s : deployment.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return Duration.between(Instant.parse(s.path("startedAt").asText()), Instant.parse(s.path("endedAt").asText())).toNanos();
            }
        }
        throw new IllegalStateException("no " + name + " step in " + deployment);
    }

    /** The Vite + React app of the deploy tests, with the build runner fixture's lockfile. */
    static Map<String, byte[]> viteApp(Path home, String headline) throws IOException {
        Path fixture = home.resolve("shared/src/test/resources/fixtures/vite-react");
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : List.of("package.json", "package-lock.json", "vite.config.js")) {
            files.put(f, Files.readAllBytes(fixture.resolve(f)));
        }
        files.put("index.html", """
                <!doctype html>
                <html lang="en">
                  <head><meta charset="UTF-8" /><title>Shop</title></head>
                  <body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body>
                </html>
                """.getBytes(StandardCharsets.UTF_8));
        files.put("src/main.jsx", """
                import { createRoot } from 'react-dom/client';
                import './style.css';

                createRoot(document.getElementById('root')).render(<main><h1>%s</h1></main>);
                """.formatted(headline).getBytes(StandardCharsets.UTF_8));
        files.put("src/style.css", "main { font-family: system-ui; color: #123456; }\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    static void importApp(LocalRuntime runtime, String app, Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(app + "-main/" + e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(runtime.apiUrl() + "/apps/" + app + "/imports"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
                .header("content-type", "application/zip")
                .header("authorization", "Bearer " + runtime.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IllegalStateException("import: " + r.body());
        }
    }

    // ---- direct upload

    record Upload(long total, long create, long put, long fin, int uploads, long bytes) {
        static Upload median(List<Upload> xs) {
            List<Upload> sorted = new ArrayList<>(xs);
            sorted.sort(Comparator.comparingLong(Upload::total));
            return sorted.get(sorted.size() / 2);
        }
    }

    static Upload upload(LocalRuntime runtime, String app, Map<String, byte[]> site) throws Exception {
        if (app.equals("upload-warm")) {
            create(runtime, app);
        }
        long t0 = System.nanoTime();
        Map<String, byte[]> bySha = new LinkedHashMap<>();
        ObjectNode body = Json.object();
        ObjectNode list = body.putObject("files");
        site.forEach((path, bytes) -> {
            String sha = ReleaseFiles.hex("SHA-256", bytes);
            bySha.put(sha, bytes);
            list.put(path, sha);
        });
        HttpResponse<String> created = call(runtime, "POST", "/apps/" + app + "/releases", Json.write(body));
        if (created.statusCode() != 201) {
            throw new IllegalStateException("create release: " + created.body());
        }
        JsonNode release = Json.parse(created.body());
        int required = release.path("required").size();
        long t1 = System.nanoTime();
        // The answer holds the first page of upload URLs (500: docs/api.md); `nextUploads` links the rest, page by page.
        Semaphore inFlight = new Semaphore(PUTS_IN_FLIGHT);
        List<CompletableFuture<HttpResponse<Void>>> puts = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        int pages = 0;
        for (JsonNode page = release; page != null; page = nextUploadsPage(runtime, page)) {
            pages++;
            for (JsonNode u : page.path("uploads")) {
                byte[] content = bySha.get(u.path("sha256").asText());
                if (content == null) {
                    throw new IllegalStateException("an upload URL for content this site does not have: " + u.path("sha256").asText());
                }
                bytes.addAndGet(content.length);
                HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(u.path("url").asText()))
                        .method(u.path("method").asText(), HttpRequest.BodyPublishers.ofByteArray(content));
                u.path("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
                inFlight.acquire();
                puts.add(HTTP.sendAsync(put.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> inFlight.release()));
            }
        }
        if (puts.size() != required) {
            throw new IllegalStateException(puts.size() + " upload URLs in " + pages + " pages for " + required + " required files");
        }
        for (CompletableFuture<HttpResponse<Void>> p : puts) {
            if (p.get().statusCode() != 200) {
                throw new IllegalStateException("PUT answered " + p.get().statusCode());
            }
        }
        long t2 = System.nanoTime();
        HttpResponse<String> fin = call(runtime, "POST", "/apps/" + app + "/releases/" + release.path("releaseId").asText() + "/finalize", null);
        if (fin.statusCode() != 200) {
            throw new IllegalStateException("finalize: " + fin.body());
        }
        long t3 = System.nanoTime();
        return new Upload(t3 - t0, t1 - t0, t2 - t1, t3 - t2, puts.size(), bytes.get());
    }

    /** The page {@code nextUploads} links to (a path under the API), or null after the last page. */
    static JsonNode nextUploadsPage(LocalRuntime runtime, JsonNode page) throws Exception {
        String next = page.path("nextUploads").asText(null);
        if (next == null) {
            return null;
        }
        HttpResponse<String> r = call(runtime, "GET", next, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + next + ": " + r.statusCode() + " " + r.body());
        }
        return Json.parse(r.body());
    }

    /** A built site's shape: one html page in ten, js chunks, css, png-ish images; 0.5-8 KB each. */
    static Map<String, byte[]> generateSite(int files, Random random) {
        Map<String, byte[]> site = new LinkedHashMap<>();
        site.put("/index.html", "<!doctype html><div id=root></div><script src=/assets/index-a0000000.js></script>\n".getBytes(StandardCharsets.UTF_8));
        String words = "const let function return import export default async await props state className div span button map filter ";
        for (int i = 1; i < files; i++) {
            String hash = "a" + String.format("%07x", (i * 2654435761L) & 0xfffffff);
            int size = 500 + random.nextInt(7500);
            switch (i % 10) {
                case 0 -> site.put("/pages/page-" + i + ".html", text("<!doctype html><p>", words, size, random));
                case 1, 2, 3, 4 -> site.put("/assets/chunk-" + hash + ".js", text("export const x" + i + "=1;", words, size, random));
                case 5, 6, 7 -> site.put("/assets/style-" + hash + ".css", text(".c" + i + "{color:#" + hash.substring(1, 7) + "}", words, size, random));
                default -> {
                    byte[] png = new byte[size];
                    random.nextBytes(png);
                    System.arraycopy(new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, 0, png, 0, 8);
                    site.put("/img/image-" + hash + ".png", png);
                }
            }
        }
        return site;
    }

    private static byte[] text(String head, String words, int size, Random random) {
        StringBuilder sb = new StringBuilder(size + 100).append(head).append('\n');
        String[] w = words.split(" ");
        while (sb.length() < size) {
            sb.append(w[random.nextInt(w.length)]).append(random.nextInt(1000)).append(random.nextInt(10) == 0 ? ";\n" : " ");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- plumbing

    static double ms(List<Long> xs) {
        return ImportBenchmark.median(xs) / 1e6;
    }

    static void create(LocalRuntime runtime, String app) throws Exception {
        HttpResponse<String> r = call(runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}");
        if (r.statusCode() != 201) {
            throw new IllegalStateException(r.body());
        }
    }

    static HttpResponse<String> call(LocalRuntime runtime, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(runtime.apiUrl() + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .header("authorization", "Bearer " + runtime.adminToken());
        if (json != null) {
            b.header("content-type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> w = Files.walk(root)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
