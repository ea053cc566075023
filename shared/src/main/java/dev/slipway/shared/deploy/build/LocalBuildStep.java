package dev.slipway.shared.deploy.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.BuildUrls;
import dev.slipway.shared.deploy.SitePath;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.json.Json;


import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The deploy state machine's Build state on a laptop: what the CodeBuild project's buildspec does,
 * as a local process. Takes the same parameters the ASL passes to {@code codebuild:startBuild.sync}
 * (the SLIPWAY_* variables, read into a {@link BuildRequest}) and reports like it
 * ({@link BuildReport}, which the local runtime answers as CodeBuild's {@code Build}); a
 * failed build is an exception whose message is the reason, so the state's Catch sees it.
 *
 * <p>Like the buildspec it holds no S3 client and no access to the app environment: the source, the
 * environment file, the log and the output move only through the presigned URLs ExportSource minted
 * ({@link BuildUrls}), so the local runtime proves those URLs are the right ones. The dependency cache
 * stays the local runner's own, per app and scope ({@link BuildJob#cacheNamespace()}).
 */
public final class LocalBuildStep {
    /** The variables the Build state passes (template.yaml's buildspec reads the same). */
    public static final String APP_ID = "SLIPWAY_APP_ID";
    public static final String DEPLOYMENT_ID = "SLIPWAY_DEPLOYMENT_ID";
    public static final String TARGET = "SLIPWAY_TARGET";
    public static final String BUILD_SETTINGS = "SLIPWAY_BUILD_SETTINGS";
    public static final String BUILD_NOTES = "SLIPWAY_BUILD_NOTES";
    public static final String SOURCE_URL = "SLIPWAY_SOURCE_URL";
    public static final String ENV_URL = "SLIPWAY_ENV_URL";
    public static final String OUTPUT_URL = "SLIPWAY_OUTPUT_URL";
    public static final String LOG_URL = "SLIPWAY_LOG_URL";
    public static final String CACHE_GET_URL = "SLIPWAY_CACHE_GET_URL";
    public static final String CACHE_PUT_URL = "SLIPWAY_CACHE_PUT_URL";
    public static final String LOCKFILE_URL = "SLIPWAY_LOCKFILE_URL";
    private static final List<String> URL_VARIABLES = List.of(SOURCE_URL, ENV_URL, OUTPUT_URL, LOG_URL, CACHE_GET_URL, CACHE_PUT_URL,
            LOCKFILE_URL);
    /** A name a shell can export; the buildspec drops others too. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** How often a running build's log is shipped. */
    static final Duration LIVE_LOG_EVERY = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final LocalBuildRunner runner;
    private final Path workRoot;

    public LocalBuildStep(Path workRoot, LocalBuildRunner runner) {
        this.workRoot = workRoot;
        this.runner = runner;
    }

    public BuildReport run(BuildRequest request) throws IOException {
        Map<String, String> vars = request.variables();
        String deploymentId = require(vars, DEPLOYMENT_ID);
        String appId = require(vars, APP_ID);
        EnvScope scope;
        try {
            scope = DeployTarget.parse(require(vars, TARGET)).scope(); // only names the local cache's namespace
        } catch (IllegalArgumentException e) {
            throw new StepFailedException(e.getMessage());
        }
        BuildSettings settings = Json.MAPPER.readValue(vars.getOrDefault(BUILD_SETTINGS, "{}"), BuildSettings.class);

        Path work = workRoot.resolve(deploymentId);
        ImportTree.deleteTree(work);
        Files.createDirectories(work);
        Path source = work.resolve("src");
        Path log = work.resolve("build.log");
        try {
            try (InputStream zip = get(require(vars, SOURCE_URL), "the source")) {
                unzip(zip, source);
            }
            Map<String, String> environment;
            try (InputStream env = get(require(vars, ENV_URL), "the environment")) {
                environment = environment(env);
            }
            // In CodeBuild the build's own code can read its URLs (they are the build's variables); here it gets
            // them too, so what a build can do with them is tested locally. They are redacted in the log like values.
            for (String url : URL_VARIABLES) {
                if (vars.containsKey(url) && !vars.get(url).isEmpty()) {
                    environment.put(url, vars.get(url));
                }
            }
            String notes = vars.getOrDefault(BUILD_NOTES, "");
            BuildOutcome outcome;
            try (LiveLog live = new LiveLog(require(vars, LOG_URL), log)) {
                outcome = runner.build(new BuildJob(source, settings, environment, log, appId + "/" + scope.id(),
                        notes.isBlank() ? List.of() : List.of(notes.split("\n"))));
            }
            if (Files.exists(log)) {
                put(require(vars, LOG_URL), BuildUrls.LOG_TYPE, log, "the build log");
            }
            if (outcome.writtenLockfile() != null && !vars.getOrDefault(LOCKFILE_URL, "").isEmpty()) {
                // the lockfile the install wrote (the commit had none): offered as a commit (LockfileCommit)
                Path lockZip = work.resolve("lockfile.zip");
                try (OutputStream out = Files.newOutputStream(lockZip); ZipOutputStream zip = new ZipOutputStream(out)) {
                    zip.putNextEntry(new ZipEntry(outcome.writtenLockfile().getFileName().toString()));
                    Files.copy(outcome.writtenLockfile(), zip);
                    zip.closeEntry();
                }
                put(vars.get(LOCKFILE_URL), BuildUrls.LOCKFILE_TYPE, lockZip, "the written lockfile");
            }
            if (!outcome.succeeded()) {
                throw new StepFailedException(outcome.failureReason());
            }
            Path zipFile = work.resolve("output.zip");
            zipFolder(outcome.outputDir(), zipFile);
            put(require(vars, OUTPUT_URL), BuildUrls.OUTPUT_TYPE, zipFile, "the build output");
            return new BuildReport("local:" + deploymentId, outcome.dependencyCacheHit(), outcome.installMillis(), outcome.buildMillis());
        } finally {
            ImportTree.deleteTree(work);
        }
    }

    /** The env.json object's string values under names a shell can export. */
    static Map<String, String> environment(InputStream json) throws IOException {
        JsonNode node = Json.MAPPER.readTree(json);
        if (node == null || !node.isObject()) {
            throw new StepFailedException("the build's environment is not a JSON object");
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (VARIABLE_NAME.matcher(f.getKey()).matches() && f.getValue().isTextual()) {
                out.put(f.getKey(), f.getValue().asText());
            }
        }
        return out;
    }

    private InputStream get(String url, String what) throws IOException {
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream body = r.body()) {
                body.readAllBytes();
            }
            throw new StepFailedException("could not download " + what + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    /**
     * Ships the build log to its URL every {@link #LIVE_LOG_EVERY} while the build runs (when it grew), so
     * {@code GET …/deployments/{id}/logs} (the console, {@code slipway deploy}) follows it live, as the buildspec's
     * loop does in CodeBuild. The log file only ever holds whole, redacted lines. Closing it waits for a shipment
     * under way, so none lands after the final upload.
     */
    private final class LiveLog implements AutoCloseable {
        private final String url;
        private final Path file;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "build-log-shipper");
            t.setDaemon(true);
            return t;
        });
        private long shipped = -1;

        LiveLog(String url, Path file) {
            this.url = url;
            this.file = file;
            timer.scheduleWithFixedDelay(this::ship, LIVE_LOG_EVERY.toMillis(), LIVE_LOG_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void ship() {
            try {
                long size = Files.exists(file) ? Files.size(file) : -1;
                if (size > 0 && size != shipped) {
                    put(url, BuildUrls.LOG_TYPE, file, "the build log");
                    shipped = size;
                }
            } catch (IOException | RuntimeException e) {
                // the next shipment or the final upload carries it
            }
        }

        @Override
        public void close() {
            timer.shutdown();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(String url, String contentType, Path file, String what) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new StepFailedException("could not upload " + what + ": HTTP " + r.statusCode());
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String require(Map<String, String> vars, String name) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            throw new StepFailedException("the build was started without " + name);
        }
        return v;
    }

    /**
     * The source zip is ours (exported from git), but its paths are still checked before use: relative, no empty, dot or
     * dot-dot segments, no control characters. Any other character the import accepted stays (a real export's docs had
     * an em dash and an ampersand in a name); the URL-safe rule of site files ({@link SitePath}) is not the source's.
     */
    static void unzip(InputStream in, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                Path target = dir.resolve(sourcePath(e.getName())).normalize();
                if (!target.startsWith(dir)) {
                    throw new StepFailedException("source path escapes the work folder: " + e.getName());
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target);
            }
        }
    }

    static String sourcePath(String name) {
        boolean ok = !name.isEmpty() && !name.startsWith("/") && name.indexOf('\\') < 0 && !name.endsWith("/");
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c >= 0x20 && (c < 0x7f || c > 0x9f);
        }
        for (String segment : name.split("/", -1)) {
            ok &= !segment.isEmpty() && !segment.equals(".") && !segment.equals("..");
        }
        if (!ok) {
            throw new StepFailedException("source path not allowed: " + (name.length() > 80 ? name.substring(0, 80) + "…" : name));
        }
        return name;
    }

    static void zipFolder(Path dir, Path zipFile) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zipFile); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Path f : files) {
                zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }
}
