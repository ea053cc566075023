package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `slipway up` killed with SIGKILL in the middle of a deploy, then started again on the same data:
 * the interrupted deployment ends FAILED, production still serves the previous release, and
 * nothing the deployment staged is left behind. The runtime runs in its own JVM here, so it can
 * really be killed.
 */
class KillDuringDeployTest {
    @TempDir
    Path data;
    private Process slipway;
    private JsonNode runtime;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        kill();
    }

    @Test
    void anInterruptedDeploymentEndsFailedAndProductionIsIntact() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(EmbeddedEngines.repoRoot().resolve("node_modules/aws-local-stepfunctions")),
                "node_modules not installed (mvn verify installs it)");
        start();
        assertEquals(201, api("POST", "/apps", "{\"id\":\"kill\",\"name\":\"Kill\"}").statusCode());
        importApp("Before the crash");
        JsonNode first = deployAndWait();
        assertEquals("SUCCEEDED", first.path("status").asText(), first.toString());
        byte[] production = edge("/").body();

        importApp("Never served");
        String id = Json.parse(api("POST", "/apps/kill/deployments", "{}").body()).path("deploymentId").asText();
        // Kill it while the build runs: the release id is fixed and the npm process is busy.
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        JsonNode d;
        do {
            Thread.sleep(100);
            d = Json.parse(api("GET", "/apps/kill/deployments/" + id, null).body());
            assertTrue(Instant.now().isBefore(deadline), "the build never started: " + d);
        } while (!hasOpenStep(d, "Build"));
        String release = d.path("releaseId").asText();
        kill();

        start();
        JsonNode after = Json.parse(api("GET", "/apps/kill/deployments/" + id, null).body());
        assertEquals("FAILED", after.path("status").asText(), after.toString());
        assertTrue(after.path("failure").asText().contains("lost"), after.toString());
        JsonNode app = Json.parse(api("GET", "/apps/kill", null).body());
        assertEquals(first.path("releaseId").asText(), app.path("production").path("releaseId").asText());
        assertArrayEquals(production, edge("/").body(), "production serves what it served before the crash");
        try (S3Client s3 = s3()) {
            for (String prefix : List.of("sites/kill/" + release + "/", "releases/kill/" + release + "/",
                    "builds/kill/" + id + "/source.zip", "builds/kill/" + id + "/output.zip")) {
                assertEquals(0, s3.listObjectsV2(r -> r.bucket("slipway-artifactsbucket").prefix(prefix)).keyCount(), prefix);
            }
        }
        // And the next deploy works.
        JsonNode again = deployAndWait();
        assertEquals("SUCCEEDED", again.path("status").asText(), again.toString());
    }

    private static boolean hasOpenStep(JsonNode d, String name) {
        for (JsonNode s : d.path("steps")) {
            if (s.path("name").asText().equals(name) && !s.hasNonNull("endedAt")) {
                return true;
            }
        }
        return false;
    }

    private void start() throws Exception {
        Path runtimeJson = data.resolve("runtime.json");
        Files.deleteIfExists(runtimeJson);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        slipway = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djdk.httpclient.allowRestrictedHeaders=host", "-Dsun.net.httpserver.nodelay=true",
                "-Dslipway.home=" + EmbeddedEngines.repoRoot(),
                "dev.slipway.local.SlipwayCli", "up", "--data", data.toString(), "--api-port", "0", "--edge-port", "0")
                .redirectErrorStream(true).redirectOutput(data.resolve("slipway-" + System.nanoTime() + ".log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!Files.exists(runtimeJson)) {
            assertTrue(slipway.isAlive(), "slipway up exited; see " + data);
            assertTrue(Instant.now().isBefore(deadline), "slipway up did not become ready");
            Thread.sleep(100);
        }
        runtime = Json.parse(Files.readString(runtimeJson));
    }

    /** SIGKILL to the JVM and everything it started (npm, node), as when a terminal's process group dies. */
    private void kill() {
        if (slipway == null) {
            return;
        }
        List<ProcessHandle> children = slipway.descendants().toList();
        slipway.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            slipway.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        slipway = null;
    }

    private void importApp(String headline) throws Exception {
        HttpResponse<String> r = send("POST", "/apps/kill/imports", Exports.zip("", ViteApp.files(headline)), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    private JsonNode deployAndWait() throws Exception {
        String id = Json.parse(api("POST", "/apps/kill/deployments", "{}").body()).path("deploymentId").asText();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(api("GET", "/apps/kill/deployments/" + id, null).body());
            if (!d.path("status").asText().equals("RUNNING")) {
                EdgeClient.awaitPromoted(runtime.path("edgePort").asInt(), d);
                return d;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("deployment " + id + " still running");
    }

    private EdgeClient.Reply edge(String path) throws Exception {
        int port = runtime.path("edgePort").asInt();
        return EdgeClient.get(port, "kill.localhost:" + port, path);
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        return send(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), json == null ? null : "application/json");
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(runtime.path("apiUrl").asText() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("authorization", "Bearer " + runtime.path("adminToken").asText());
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private S3Client s3() {
        return S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(URI.create(runtime.path("s3Endpoint").asText()))
                .httpClient(ApacheHttpClient.builder().build()).build();
    }

}
