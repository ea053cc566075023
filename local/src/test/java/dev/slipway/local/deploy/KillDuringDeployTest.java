package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.ChildSlipway;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    private ChildSlipway slipway;
    private JsonNode runtime;

    @AfterEach
    void stop() {
        if (slipway != null) {
            slipway.kill();
        }
    }

    private void start() throws Exception {
        if (slipway == null) {
            slipway = new ChildSlipway(data);
        }
        slipway.start();
        runtime = slipway.runtime();
    }

    private void kill() {
        slipway.kill();
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String contentType) throws Exception {
        return slipway.send(method, path, body, contentType);
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        return slipway.api(method, path, json);
    }

    @Test
    void anInterruptedDeploymentEndsFailedAndProductionIsIntact() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        start();
        assertEquals(201, api("POST", "/apps", "{\"id\":\"kill\",\"name\":\"Kill\"}").statusCode());
        importApp("Before the crash");
        JsonNode first = deployAndWait();
        assertEquals("SUCCEEDED", first.path("status").asText(), first.toString());
        byte[] production = edge("/").body();

        // The next build hangs, after starting a detached grandchild in its own session (what escapes a
        // process-group kill); `slipway up` is killed with SIGKILL alone, as `kill -9` does.
        String marker = "orphan-marker-" + System.nanoTime();
        HttpResponse<String> imported = send("POST", "/apps/kill/imports", Exports.zip("", hangingApp(marker)), "application/zip");
        assertTrue(imported.statusCode() == 201 || imported.statusCode() == 200, imported.body());
        String id = Json.parse(api("POST", "/apps/kill/deployments", "{}").body()).path("deploymentId").asText();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (buildProcesses(marker).size() < 2) {
            assertTrue(Instant.now().isBefore(deadline), "the build never started its processes: "
                    + api("GET", "/apps/kill/deployments/" + id, null).body());
            Thread.sleep(100);
        }
        String release = Json.parse(api("GET", "/apps/kill/deployments/" + id, null).body()).path("releaseId").asText();
        slipway.killJvmOnly();
        Instant gone = Instant.now().plus(Duration.ofSeconds(20));
        while (!buildProcesses(marker).isEmpty() && Instant.now().isBefore(gone)) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), buildProcesses(marker), "build processes outlived slipway up");

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
        try (var work = Files.list(Files.createDirectories(data.resolve("builds")))) {
            assertEquals(List.of(), work.toList(), "no build work folder is left half-done");
        }
        // And the next deploy works.
        importApp("After the crash");
        JsonNode again = deployAndWait();
        assertEquals("SUCCEEDED", again.path("status").asText(), again.toString());
        for (JsonNode s : again.path("steps")) {
            if (s.path("name").asText().equals("FindReusableRelease")) {
                assertFalse(s.has("attempts"), "it did not wait: " + again);
                assertEquals("no READY release of these inputs: building", s.path("outcome").asText(), again.toString());
            }
        }
    }

    /** An app whose build starts a detached grandchild, then waits forever; both carry {@code marker}. */
    private static Map<String, String> hangingApp(String marker) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("package.json", "{\"name\":\"hang\",\"private\":true,\"scripts\":{\"build\":\"node hang.cjs " + marker + "\"}}");
        files.put("package-lock.json", "{\"name\":\"hang\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{\"\":{\"name\":\"hang\"}}}");
        files.put("index.html", "<!doctype html><p>never built</p>\n");
        files.put("hang.cjs", "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '"
                + marker + "-grandchild'], { detached: true, stdio: 'ignore' }).unref();\nsetInterval(() => {}, 1000);\n");
        return files;
    }

    private static List<String> buildProcesses(String marker) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(marker)).toList();
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

    private S3Client s3() {
        return S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(URI.create(runtime.path("s3Endpoint").asText()))
                .httpClient(ApacheHttpClient.builder().build()).build();
    }

}
