package dev.slipway.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalRuntime;
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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Import speed against C git, measured in the same run on the same tree.
 * <p>
 * A generated export of {@code files} text files (default 2,000, ~20 MB) is imported through the
 * local runtime's HTTP API (presigned upload + import: unzip, checks, secret scan, detection,
 * pack to S3, ref move + audit in one transaction); then re-imported with one file changed. The
 * baseline is {@code git add -A && git commit} of the same tree in a fresh repository, then again
 * after the same one-file change. Each figure is the median of {@code rounds} runs.
 * <p>
 * Run: {@code ./slipway bench import [files] [rounds]}.
 */
public final class ImportBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) {
        BenchApi.exitAfter(() -> measure(args));
    }

    static void measure(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        if (files < 3) {
            throw new IllegalArgumentException("files: at least 3 (package.json, index.html and the source file each round changes)");
        }
        // The Slipway folder's template, wherever the benchmark is started from (the script sets slipway.home).
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(work.resolve("data"))
                .template(home.resolve("template.yaml")).build())) {
            Path tree = work.resolve("tree");
            long bytes = generate(tree, files, new Random(42));
            byte[] zip = zip(tree);
            Path changedFile = tree.resolve("src/module-0/file-0.ts");
            byte[] original = Files.readAllBytes(changedFile);
            System.out.printf("export: %d files, %.1f MB of text, zip %.1f MB; %d rounds, median%n",
                    files, bytes / 1e6, zip.length / 1e6, rounds);

            // Warm-up: JIT, connection pools, the engines' first writes.
            importOnce(runtime, "warm-up", zip);
            gitImport(work.resolve("git-warm"), tree);

            List<Long> slipFirst = new ArrayList<>(), slipChange = new ArrayList<>();
            List<Long> gitFirst = new ArrayList<>(), gitChange = new ArrayList<>(), gitChangeWarm = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Files.write(changedFile, original);
                byte[] zip1 = zip(tree);
                Files.writeString(changedFile, "// changed in round " + r + "\n", StandardOpenOption.APPEND);
                byte[] zip2 = zip(tree);
                Files.write(changedFile, original);

                String app = "bench-" + r;
                create(runtime, app);
                slipFirst.add(time(() -> importOnce(runtime, app, zip1)));
                slipChange.add(time(() -> importOnce(runtime, app, zip2)));

                Path repo = work.resolve("git-" + r);
                gitFirst.add(time(() -> gitImport(repo, tree)));
                // A new export is unzipped over the tree: every file gets a new mtime, so git re-reads
                // them all, as Slipway does. (Untimed, like the zip Slipway receives.)
                Files.writeString(changedFile, "// changed in round " + r + "\n", StandardOpenOption.APPEND);
                touchAll(tree);
                gitChange.add(time(() -> gitImport(repo, tree)));
                // For reference: git with a warm index (only the edited file's stat changed).
                Files.writeString(changedFile, "// again\n", StandardOpenOption.APPEND);
                gitChangeWarm.add(time(() -> gitImport(repo, tree)));
                Files.write(changedFile, original);
            }
            report("first import (2,000 new files)".replace("2,000", String.format("%,d", files)), slipFirst, gitFirst);
            report("re-import, one file changed", slipChange, gitChange);
            report("  (git with a warm index instead)", slipChange, gitChangeWarm);
        } finally {
            try (Stream<Path> w = Files.walk(work)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    interface Step {
        void run() throws Exception;
    }

    static long time(Step s) throws Exception {
        long t = System.nanoTime();
        s.run();
        return System.nanoTime() - t;
    }

    static void touchAll(Path root) throws IOException {
        FileTime now = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, now);
            }
        }
    }

    static void report(String what, List<Long> slipway, List<Long> git) {
        double s = median(slipway) / 1e6, g = median(git) / 1e6;
        System.out.printf("%-34s slipway %8.1f ms   git add -A && git commit %8.1f ms   ratio %.2fx%n", what, s, g, s / g);
    }

    static double median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
    }

    /** Source-like text: identifiers and keywords drawn from a small vocabulary, ~10 KB a file. */
    static long generate(Path root, int files, Random random) throws IOException {
        String[] words = ("const let function return import export from default async await if else for while "
                + "props state useEffect useState className div span button onClick value items map filter "
                + "supabase select insert update order cart product price total user session").split(" ");
        long total = 0;
        Files.createDirectories(root);
        Files.writeString(root.resolve("package.json"), "{\"name\":\"bench\",\"private\":true,\"scripts\":{\"build\":\"vite build\"},"
                + "\"devDependencies\":{\"vite\":\"^5.4.1\"}}\n");
        Files.writeString(root.resolve("index.html"), "<!doctype html><div id=root></div>\n");
        for (int i = 0; i < files - 2; i++) {
            Path f = root.resolve("src/module-" + (i / 50) + "/file-" + (i % 50) + ".ts");
            Files.createDirectories(f.getParent());
            StringBuilder sb = new StringBuilder(10_500);
            while (sb.length() < 10_000) {
                int n = 4 + random.nextInt(8);
                for (int w = 0; w < n; w++) {
                    sb.append(words[random.nextInt(words.length)]).append(w == n - 1 ? ";\n" : " ");
                }
                sb.append("  x").append(random.nextInt(100_000)).append(" = ").append(random.nextInt()).append(";\n");
            }
            Files.writeString(f, sb);
            total += sb.length();
        }
        return total;
    }

    static byte[] zip(Path root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry("bench/" + root.relativize(p).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(p));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static void create(LocalRuntime runtime, String app) throws Exception {
        HttpResponse<String> r = call(runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}");
        if (r.statusCode() != 201) {
            throw new IllegalStateException(r.body());
        }
    }

    static void importOnce(LocalRuntime runtime, String app, byte[] zip) throws Exception {
        if (app.equals("warm-up")) {
            call(runtime, "POST", "/apps", "{\"id\":\"warm-up\",\"name\":\"warm up\"}");
        }
        JsonNode upload = Json.parse(call(runtime, "POST", "/apps/" + app + "/uploads", "{\"size\":" + zip.length + "}").body());
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(zip));
        upload.path("headers").fields().forEachRemaining(h -> {
            if (!h.getKey().equalsIgnoreCase("content-length")) {
                put.header(h.getKey(), h.getValue().asText());
            }
        });
        HttpResponse<String> stored = HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
        if (stored.statusCode() != 200) {
            throw new IllegalStateException("upload: " + stored.body());
        }
        HttpResponse<String> imported = call(runtime, "POST", "/apps/" + app + "/imports",
                "{\"uploadId\":\"" + upload.path("uploadId").asText() + "\"}");
        if (imported.statusCode() != 201 && imported.statusCode() != 200) {
            throw new IllegalStateException("import: " + imported.body());
        }
    }

    static HttpResponse<String> call(LocalRuntime runtime, String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(runtime.apiUrl() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + runtime.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The baseline: C git committing the same tree (git init the first time). */
    static void gitImport(Path repo, Path tree) throws Exception {
        if (!Files.exists(repo.resolve(".git"))) {
            run(repo.getParent(), "git", "init", "-q", repo.toString());
        }
        run(repo, "git", "--work-tree=" + tree, "add", "-A");
        run(repo, "git", "--work-tree=" + tree, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                "commit", "-q", "-m", "import");
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(Arrays.toString(command) + ": " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
