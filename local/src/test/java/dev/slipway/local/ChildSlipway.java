package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `slipway up` in a child JVM on a data folder, so a test can SIGKILL it (and everything it started)
 * and start it again on what the kill left: the kill tests of the deploy workflow and the cleanup.
 */
public final class ChildSlipway {
    private final Path data;
    private final List<String> extraArgs;
    private Process process;
    private JsonNode runtime;
    private final AdminApi api = new AdminApi(() -> runtime.path("apiUrl").asText(), () -> runtime.path("adminToken").asText());

    /** @param extraArgs more `slipway up` options, e.g. {@code --schedule-interval off} */
    public ChildSlipway(Path data, String... extraArgs) {
        this.data = data;
        this.extraArgs = List.of(extraArgs);
    }

    /** Starts it and waits until it wrote runtime.json (ready). */
    public void start() throws Exception {
        Path runtimeJson = data.resolve("runtime.json");
        Files.deleteIfExists(runtimeJson);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djdk.httpclient.allowRestrictedHeaders=host", "-Dsun.net.httpserver.nodelay=true",
                "-Dslipway.home=" + EmbeddedEngines.repoRoot(),
                "dev.slipway.local.SlipwayCli", "up", "--data", data.toString(), "--api-port", "0", "--edge-port", "0"));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(data.resolve("slipway-" + System.nanoTime() + ".log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!Files.exists(runtimeJson)) {
            assertTrue(process.isAlive(), "slipway up exited; see " + data);
            assertTrue(Instant.now().isBefore(deadline), "slipway up did not become ready");
            Thread.sleep(100);
        }
        runtime = Json.parse(Files.readString(runtimeJson));
    }

    /** SIGKILL to the JVM and everything it started (npm, node), as when a terminal's process group dies. */
    public void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * SIGKILL to the JVM alone, as `kill -9` of `slipway up` does: whatever it started must end by itself (the
     * build sandbox's die-with-parent and PID namespace), so nothing else is killed here.
     */
    public void killJvmOnly() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        process = null;
    }

    /** runtime.json of the running instance (API URL, admin token, ports, engine endpoints). */
    public JsonNode runtime() {
        return runtime;
    }

    /** Calls the running instance's API with its admin token (follows a restart). */
    public HttpResponse<String> api(String method, String path, String json) throws Exception {
        return api.json(method, path, json);
    }

    public HttpResponse<String> send(String method, String path, byte[] body, String contentType) throws Exception {
        return api.send(method, path, body, contentType);
    }
}
