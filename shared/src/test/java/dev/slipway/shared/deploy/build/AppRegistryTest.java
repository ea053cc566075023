package dev.slipway.shared.deploy.build;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.build.sandbox.Unsandboxed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An app's own registry (build setting {@code registry}, e.g. a CodeArtifact endpoint with a path prefix) and its
 * token (the app variable {@code NPM_TOKEN}) reach the install: a real registry on this machine's loopback, a
 * pass-through to the public one that records each request's path and Authorization header. Unsandboxed: the
 * sandbox's egress proxy refuses loopback on purpose (an app cannot point its build at Slipway's own ports).
 */
class AppRegistryTest {
    static final String TOKEN = "codeartifact-token-0123456789";

    @TempDir
    static Path shared;
    static HttpServer registry;
    static final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void registry() throws IOException {
        assumeTrue(LocalBuildRunnerTest.onPath("npm") && LocalBuildRunnerTest.onPath("node"), "npm/node are not on PATH");
        HttpClient upstream = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/npm/acme/", exchange -> {
            String path = exchange.getRequestURI().getRawPath().substring("/npm/acme".length());
            requests.add(path + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
            try {
                HttpResponse<byte[]> r = upstream.send(HttpRequest.newBuilder(URI.create("https://registry.npmjs.org" + path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = r.body();
                String type = r.headers().firstValue("content-type").orElse("application/octet-stream");
                if (type.contains("json")) {
                    // as a real registry does: its metadata names its own tarball URLs
                    String self = "http://127.0.0.1:" + registry.getAddress().getPort() + "/npm/acme/";
                    body = new String(body, StandardCharsets.UTF_8).replace("https://registry.npmjs.org/", self)
                            .getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().add("Content-Type", type);
                exchange.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        registry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.stop(0);
        }
    }

    @Test
    void theAppsRegistryAndTokenReachTheInstall(@TempDir Path dir) throws IOException {
        String url = "http://127.0.0.1:" + registry.getAddress().getPort() + "/npm/acme/";
        LocalBuildRunner runner = new LocalBuildRunner(shared.resolve("cache"), Duration.ofMinutes(3), new Unsandboxed());
        Path source = PackageManagersTest.copy("node-pinned", dir);
        Path logFile = dir.resolve("build.log");
        BuildSettings settings = new BuildSettings(null, "npm ci", "npm run build", "dist", null, url);
        BuildOutcome out = runner.build(new BuildJob(source, settings, Map.of("NPM_TOKEN", TOKEN), logFile));
        String log = LocalBuildRunnerTest.read(logFile);
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + log + "\n" + requests);
        assertTrue(requests.contains("/escape-html/-/escape-html-1.0.3.tgz auth=Bearer " + TOKEN),
                "the lockfile's package came from the app's registry, with its token: " + requests);
        assertTrue(requests.stream().allMatch(r -> r.endsWith("auth=Bearer " + TOKEN)), requests.toString());
        assertFalse(log.contains(TOKEN), log);
        assertFalse(Files.readString(out.outputDir().resolve("index.html")).isEmpty());
    }
}
