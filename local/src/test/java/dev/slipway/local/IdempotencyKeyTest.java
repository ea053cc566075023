package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idempotency-Key on POST routes, end to end through `slipway up`'s HTTP API. */
class IdempotencyKeyTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A POST with the admin token and, unless null, an Idempotency-Key: sent more than once by the tests. */
    private static HttpRequest request(String path, byte[] body, String contentType, String key) {
        HttpRequest.Builder b = slipway.api().request("POST", path, body, contentType);
        if (key != null) {
            b.header("idempotency-key", key);
        }
        return b.build();
    }

    static HttpResponse<String> post(String path, String json, String key) throws Exception {
        return HTTP.send(request(path, json.getBytes(StandardCharsets.UTF_8), "application/json", key), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return slipway.api().json("GET", path, null);
    }

    static void problem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }

    static boolean replayed(HttpResponse<String> r) {
        return r.headers().firstValue("idempotent-replayed").orElse("").equals("true");
    }

    /** The same answer: status, body and the headers that matter, byte for byte. */
    static void sameAnswer(HttpResponse<String> first, HttpResponse<String> again) {
        assertEquals(first.statusCode(), again.statusCode());
        assertEquals(first.body(), again.body());
        for (String h : List.of("content-type", "location", "cache-control")) {
            assertEquals(first.headers().firstValue(h), again.headers().firstValue(h), h);
        }
        assertFalse(replayed(first));
        assertTrue(replayed(again));
    }

    static List<String> auditActions(String app) {
        List<String> actions = new ArrayList<>();
        slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable"))
                .keyConditionExpression("appId = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromS(app))))
                .items().forEach(i -> {
                    if (i.containsKey("action")) {
                        actions.add(i.get("action").s());
                    }
                });
        return actions;
    }

    @Test
    void creatingAnAppTwiceWithOneKeyCreatesItOnce() throws Exception {
        String body = "{\"id\":\"idem-shop\",\"name\":\"Idem Shop\"}";
        HttpResponse<String> first = post("/apps", body, "create-idem-shop-1");
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> again = post("/apps", body, "create-idem-shop-1");
        sameAnswer(first, again);
        assertEquals(1, auditActions("idem-shop").size(), "one audit event: " + auditActions("idem-shop"));

        problem(post("/apps", "{\"id\":\"idem-shop\",\"name\":\"Another name\"}", "create-idem-shop-1"), 422, "idempotency-key-reused");
        problem(post("/apps", body, "create-idem-shop-2"), 409, "app-exists");
        // the 409 of the second key is kept too
        HttpResponse<String> exists = post("/apps", body, "create-idem-shop-2");
        problem(exists, 409, "app-exists");
        assertTrue(replayed(exists));
        // without a key nothing is remembered
        HttpResponse<String> plain = post("/apps", body, null);
        problem(plain, 409, "app-exists");
        assertFalse(replayed(plain));
        assertEquals(1, auditActions("idem-shop").size());
    }

    @Test
    void aBadRequestIsKeptAndReplayedAsTheSame400() throws Exception {
        HttpResponse<String> first = post("/apps", "{\"name\": ", "bad-json-1");
        problem(first, 400, "invalid-json");
        HttpResponse<String> again = post("/apps", "{\"name\": ", "bad-json-1");
        sameAnswer(first, again);
    }

    @Test
    void theQueryStringIsPartOfTheRequest() throws Exception {
        assertEquals(201, post("/apps", "{\"id\":\"idem-branch\",\"name\":\"Idem Branch\"}", null).statusCode());
        byte[] zip = Exports.zip("site/", Map.of("index.html", "<!doctype html><title>branches</title>"));
        HttpResponse<String> alpha = HTTP.send(request("/apps/idem-branch/imports?branch=alpha", zip, "application/zip", "import-branch-1"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, alpha.statusCode(), alpha.body());
        assertEquals("alpha", Json.parse(alpha.body()).path("branch").asText());
        HttpResponse<String> beta = HTTP.send(request("/apps/idem-branch/imports?branch=beta", zip, "application/zip", "import-branch-1"),
                HttpResponse.BodyHandlers.ofString());
        problem(beta, 422, "idempotency-key-reused");
        assertFalse(replayed(beta));
        problem(get("/apps/idem-branch/commits?branch=beta"), 404, "branch-not-found");
        sameAnswer(alpha, HTTP.send(request("/apps/idem-branch/imports?branch=alpha", zip, "application/zip", "import-branch-1"),
                HttpResponse.BodyHandlers.ofString()));
        HttpResponse<String> betaNewKey = HTTP.send(request("/apps/idem-branch/imports?branch=beta", zip, "application/zip", "import-branch-2"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, betaNewKey.statusCode(), betaNewKey.body());
        assertEquals(1, Json.parse(get("/apps/idem-branch/commits?branch=beta").body()).path("commits").size());
    }

    @Test
    void anInvalidKeyIs400() throws Exception {
        problem(post("/apps", "{\"name\":\"x\"}", "x".repeat(256)), 400, "invalid-idempotency-key");
        // (control and non-ASCII characters: IdempotencyTest in shared; HttpClient will not send them raw)
        // GET routes ignore the header
        assertEquals(200, HTTP.send(slipway.api().request("GET", "/apps", null, null).header("idempotency-key", "x".repeat(300)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void aSlowImportRetriedWhileRunningIsInProgressAndRunsOnce() throws Exception {
        assertEquals(201, post("/apps", "{\"id\":\"idem-import\",\"name\":\"Idem Import\"}", null).statusCode());
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "<!doctype html><title>big</title>");
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[300];
            random.nextBytes(b);
            files.put("assets/f" + i + ".txt", HexFormat.of().formatHex(b));
        }
        byte[] zip = Exports.zip("site/", files);
        HttpRequest req = request("/apps/idem-import/imports", zip, "application/zip", "import-1");
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString());
        String table = slipway.tableName("IdempotencyTable");
        List<HttpResponse<String>> retries = new ArrayList<>();
        while (!first.isDone()) {
            boolean recorded = slipway.dynamo().scan(s -> s.tableName(table)).items().stream()
                    .anyMatch(i -> i.containsKey("state") && i.get("state").s().equals("IN_PROGRESS"));
            if (recorded) {
                retries.add(HTTP.send(req, HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(50);
        }
        HttpResponse<String> done = first.get();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(201, done.statusCode(), done.body());
        assertFalse(replayed(done));
        Assumptions.assumeTrue(retries.stream().anyMatch(r -> r.statusCode() == 409),
                "the import finished (" + ms + " ms) before a retry could see it running");
        for (HttpResponse<String> r : retries) {
            if (r.statusCode() == 409) {
                problem(r, 409, "idempotency-key-in-progress");
                int after = Integer.parseInt(r.headers().firstValue("retry-after").orElse("0"));
                assertTrue(after >= 1 && after <= 60, "Retry-After " + after);
            } else {
                sameAnswer(done, r);
            }
        }
        sameAnswer(done, HTTP.send(req, HttpResponse.BodyHandlers.ofString()));
        // the work happened once: one import in the app's history
        assertEquals(1, auditActions("idem-import").stream().filter(a -> a.contains("import")).count(), auditActions("idem-import").toString());
        assertEquals(1, Json.parse(get("/apps/idem-import/commits").body()).path("commits").size());
    }

    @Test
    void startingADeploymentTwiceWithOneKeyStartsOne() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        assertEquals(201, post("/apps", "{\"id\":\"idem-deploy\",\"name\":\"Idem Deploy\"}", null).statusCode());
        HttpResponse<String> imported = HTTP.send(request("/apps/idem-deploy/imports",
                Exports.zip("site/", Map.of("index.html", "<!doctype html><title>hi</title>")), "application/zip", null),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, imported.statusCode(), imported.body());
        HttpResponse<String> first = post("/apps/idem-deploy/deployments", "{}", "deploy-1");
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> again = post("/apps/idem-deploy/deployments", "{}", "deploy-1");
        sameAnswer(first, again);
        JsonNode list = Json.parse(get("/apps/idem-deploy/deployments").body());
        assertEquals(1, list.path("deployments").size(), list.toString());
        // another key is another deployment
        HttpResponse<String> second = post("/apps/idem-deploy/deployments", "{}", "deploy-2");
        assertTrue(second.statusCode() == 202 || second.statusCode() == 409, second.body());
        assertFalse(replayed(second));
    }
}
