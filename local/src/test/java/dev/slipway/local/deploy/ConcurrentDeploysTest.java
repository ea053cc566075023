package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploys of one commit started together (issue 13: five of them ran five builds and made five
 * READY releases with one build key): through `slipway up` and its HTTP API, with real npm builds,
 * one deployment holds the build lease and builds, the others wait for its release and reuse it;
 * when its build fails, the lease ends with it and the next waiter builds.
 */
class ConcurrentDeploysTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05).build();
    private static final AdminApi api = slipway.api();

    @Test
    void fiveDeploysOfOneCommitStartedTogetherRunOneBuildAndShareItsRelease() throws Exception {
        // Given an app whose build takes a few seconds (so all five ask while it runs)
        String app = "together";
        createAndImport(app, app("Built once", "setTimeout(write, 3000);"));

        // when five deployments of main are started at once
        List<JsonNode> done = deployAtOnce(app, 5);

        // then all succeed, exactly one ran a build, and all five name its release
        Set<String> releases = new HashSet<>();
        List<JsonNode> built = new ArrayList<>();
        for (JsonNode d : done) {
            assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
            releases.add(d.path("releaseId").asText());
            if (step(d, "Build") != null) {
                built.add(d);
            } else {
                assertTrue(d.path("reusedRelease").asBoolean(), d.toString());
                assertTrue(step(d, "FindReusableRelease").path("outcome").asText().startsWith("reused release "), d.toString());
                assertEquals(404, logs(app, d).statusCode(), "a deployment that reused has no build log: " + d);
            }
        }
        assertEquals(1, built.size(), "deployments that built: " + built.stream().map(d -> d.path("deploymentId").asText()).toList());
        assertEquals(1, releases.size(), "releases named: " + releases);
        assertEquals(200, logs(app, built.get(0)).statusCode());
        JsonNode listed = Json.parse(api.json("GET", "/apps/" + app + "/releases?limit=100", null).body());
        assertEquals(1, listed.path("releases").size(), listed.toString());
        assertEquals(releases.iterator().next(), listed.path("releases").path(0).path("releaseId").asText(), listed.toString());
        assertEquals(0, leasesOf(app), "the builder ended its lease when its release became READY");
    }

    @Test
    void whenTheBuilderFailsTheDeploymentWaitingForItBuildsItself() throws Exception {
        // Given a commit whose build fails after a few seconds
        String app = "broken-together";
        createAndImport(app, app("Never built", "setTimeout(() => { console.error('broken on purpose'); process.exit(1); }, 6000);"));

        // when a deployment is building it and a second deployment of the same commit starts
        String first = start(app);
        JsonNode building = awaitStep(app, first, "Build");
        assertEquals("RUNNING", building.path("status").asText(), "the first build should still run: " + building);
        String second = start(app);
        JsonNode a = api.awaitDeployment(app, first);
        JsonNode b = api.awaitDeployment(app, second);

        // then the first fails at its build; the second waited for it, then claimed the lease and ran its own build
        assertEquals("FAILED", a.path("status").asText(), a.toString());
        assertTrue(step(a, "Build").path("outcome").asText().startsWith("failed"), a.toString());
        JsonNode waited = step(b, "FindReusableRelease");
        assertTrue(waited.path("attempts").asInt(1) >= 2, "the second asked again after waiting: " + b);
        assertEquals("no READY release of these inputs: building", waited.path("outcome").asText(), b.toString());
        assertNotNull(step(b, "Build"), "the second ran its own build: " + b);
        assertEquals("FAILED", b.path("status").asText(), b.toString());
        assertTrue(b.path("failure").asText().contains("exited with status"), b.toString());
        assertEquals(200, logs(app, b).statusCode());
        assertTrue(logs(app, b).body().contains("broken on purpose"));
        assertEquals(0, leasesOf(app), "a failed deployment ends the lease it held");
    }

    // ---- helpers

    /**
     * A dependency-free app (npm ci of an empty lockfile) whose build runs {@code schedule}: it calls
     * {@code write()} to make dist/index.html, or fails.
     */
    private static Map<String, String> app(String headline, String schedule) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("package.json", "{\"name\":\"lease\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}\n");
        files.put("package-lock.json", "{\"name\":\"lease\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,"
                + "\"packages\":{\"\":{\"name\":\"lease\",\"version\":\"1.0.0\"}}}\n");
        files.put("build.js", """
                const fs = require('fs');
                function write() {
                  fs.mkdirSync('dist', { recursive: true });
                  fs.writeFileSync('dist/index.html', '<!doctype html><title>Lease</title><h1>%s</h1>\\n');
                }
                %s
                """.formatted(headline, schedule));
        return files;
    }

    private static void createAndImport(String app, Map<String, String> files) throws Exception {
        HttpResponse<String> created = api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> imported = api.send("POST", "/apps/" + app + "/imports", Exports.zip(app + "-main/", files), "application/zip");
        assertTrue(imported.statusCode() == 201 || imported.statusCode() == 200, imported.body());
    }

    /** {@code n} deployments of main, their POSTs released together by a barrier; each awaited to its end. */
    private static List<JsonNode> deployAtOnce(String app, int n) throws Exception {
        CyclicBarrier together = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<JsonNode>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> {
                    together.await();
                    return api.awaitDeployment(app, start(app));
                }));
            }
            List<JsonNode> done = new ArrayList<>();
            for (Future<JsonNode> r : runs) {
                done.add(r.get(5, TimeUnit.MINUTES));
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String start(String app) throws Exception {
        HttpResponse<String> started = api.json("POST", "/apps/" + app + "/deployments", "{}");
        assertEquals(202, started.statusCode(), started.body());
        return Json.parse(started.body()).path("deploymentId").asText();
    }

    /** The deployment once {@code name} has started (or it has ended). */
    private static JsonNode awaitStep(String app, String deploymentId, String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(api.json("GET", "/apps/" + app + "/deployments/" + deploymentId, null).body());
            if (step(d, name) != null || !d.path("status").asText().equals("RUNNING")) {
                return d;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(deploymentId + " did not reach " + name);
    }

    private static HttpResponse<String> logs(String app, JsonNode d) throws Exception {
        return api.json("GET", "/apps/" + app + "/deployments/" + d.path("deploymentId").asText() + "/logs", null);
    }

    private static JsonNode step(JsonNode deployment, String name) {
        for (JsonNode s : deployment.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Build lease items of the app left in the releases table. */
    private static int leasesOf(String app) {
        return slipway.dynamo().query(q -> q.tableName(slipway.tableName("ReleasesTable")).consistentRead(true)
                .keyConditionExpression("appId = :a AND begins_with(#k, :p)").expressionAttributeNames(Map.of("#k", "key"))
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS(app), ":p", AttributeValue.fromS("lease#")))).count();
    }
}
