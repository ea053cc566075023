package dev.slipway.local.preview;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.deploy.ViteApp;
import dev.slipway.local.imports.Exports;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Previews through `slipway up`: a real Vite app imported into git, deployed to a named preview by the
 * deploy state machine (real npm build), served by the edge at {@code {name}--{app}.localhost}; a
 * second deploy moves the preview's alias and keeps its history; production is never touched; bad
 * input is refused with nothing written; a removed preview is gone from the edge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static LocalRuntime runtime;
    static DynamoDbClient ddb;
    static DeployStores store;
    static AuditLedger ledger;
    static final String APP = "shop";
    static String firstRelease;

    @BeforeAll
    static void up() throws Exception {
        runtime = slipway.runtime();
        ddb = slipway.dynamo();
        LocalNames names = new LocalNames();
        var enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
        ledger = new AuditLedger(enhanced, names.physicalName("AuditTable", SamTemplate.TABLE));
        store = DynamoDbDeployStores.of(enhanced, names.physicalName("ReleasesTable", SamTemplate.TABLE), ledger);
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Shop\"}").statusCode());
        importApp(ViteApp.files("Preview one"));
    }

    @Test
    @Order(1)
    void aPreviewIsBuiltAndServedAtItsOwnHost() throws Exception {
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"feature-x\",\"ttlHours\":5}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode created = Json.parse(r.body());
        assertEquals("/apps/shop/previews/feature-x", r.headers().firstValue("location").orElse(""));
        assertEquals("feature-x", created.path("preview").path("name").asText());
        assertFalse(created.has("token"), "a public preview has no token");
        Instant expires = Instant.parse(created.path("preview").path("expiresAt").asText());
        assertTrue(Duration.between(Instant.now(), expires).toMinutes() > 290 && Duration.between(Instant.now(), expires).toMinutes() <= 300, expires.toString());
        assertEquals("preview:feature-x", created.path("deployment").path("target").asText(), created.toString());

        JsonNode d = awaitDeployment(created.path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        firstRelease = d.path("releaseId").asText();
        String body = awaitPreview("feature-x", firstRelease);
        assertTrue(body.contains("<div id=\"root\">"), body);

        JsonNode p = Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body());
        assertEquals("live", p.path("status").asText(), p.toString());
        assertEquals(firstRelease, p.path("releaseId").asText());
        assertEquals(runtime.siteUrl("feature-x--" + APP), p.path("url").asText());
        // Production was never touched: the app host has nothing to serve.
        assertEquals(404, EdgeClient.get(runtime.edge().port(), host(APP), "/").status());
        assertTrue(store.aliases().get(APP, "production").isEmpty());
    }

    @Test
    @Order(2)
    void deployingAgainMovesThePreviewAndKeepsItsHistory() throws Exception {
        importApp(ViteApp.files("Preview two"));
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"feature-x\"}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode d = awaitDeployment(Json.parse(r.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        String second = d.path("releaseId").asText();
        assertNotEquals(firstRelease, second);
        awaitPreview("feature-x", second);
        var history = store.aliases().history(APP, "preview:feature-x", 10);
        assertEquals(2, history.size(), history.toString());
        assertEquals(second, history.get(0).releaseId());
        assertEquals(firstRelease, history.get(0).previousReleaseId());
        // The release it left is a cleanup candidate; the one it serves is referenced.
        assertTrue(store.aliases().referenced(APP, second));
        assertFalse(store.aliases().referenced(APP, firstRelease));
        // The first release is still reachable by its own URL until the cleanup decides.
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host(firstRelease + "--" + APP), "/").status());
    }

    @Test
    @Order(3)
    void badInputIsRefusedAndWritesNothing() throws Exception {
        long seq = ledger.head(APP).seq();
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"Bad_Name\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"01hzx3k9q8w7e6r5t4y3v2a1b0\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"a--b\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"" + "x".repeat(59) + "\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"ttlHours\":0}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"ttlHours\":721}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"protected\":\"yes\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"name\":\"x\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"no-such-branch\",\"name\":\"nobranch\"}"), 422, "ref-not-found");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"colour\":\"red\"}"), 400, "unknown-field");
        assertProblem(api.json("POST", "/apps/nope/previews", "{\"ref\":\"main\"}"), 404, "app-not-found");
        assertProblem(api.json("GET", "/apps/" + APP + "/previews/nobranch", null), 404, "preview-not-found");
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/feature-x", "{\"expiresAt\":\"tomorrow\"}"), 400, "validation-failed");
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/feature-x", "{\"expiresAt\":\"+1000000-01-01T00:00:00Z\"}"), 400, "validation-failed");
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/feature-x", "{\"expiresAt\":\"1970-01-01T00:00:00Z\"}"), 400, "validation-failed");
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/feature-x", "{}"), 400, "validation-failed");
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/ghost", "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}"), 404, "preview-not-found");
        assertProblem(api.json("DELETE", "/apps/" + APP + "/previews/ghost", null), 404, "preview-not-found");
        String huge = "x".repeat(2000);
        assertProblem(api.json("PATCH", "/apps/" + APP + "/previews/" + huge, "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}"), 404, "preview-not-found");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews/" + huge + "/token", null), 404, "preview-not-found");
        assertProblem(api.json("POST", "/apps/" + APP + "/previews/" + huge + "/promote", null), 404, "preview-not-found");
        assertProblem(api.json("DELETE", "/apps/" + APP + "/previews/" + huge, null), 404, "preview-not-found");
        assertProblem(api.json("GET", "/apps/" + APP + "/previews/" + huge, null), 404, "preview-not-found");
        assertEquals(seq, ledger.head(APP).seq(), "a refused request wrote an audit event");
        JsonNode list = Json.parse(api.json("GET", "/apps/" + APP + "/previews", null).body());
        assertEquals(1, list.path("previews").size(), list.toString());
    }

    @Test
    @Order(4)
    void aNameIsDerivedFromTheRefAndPagesList() throws Exception {
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\"}");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("main", Json.parse(r.body()).path("preview").path("name").asText());
        JsonNode d = awaitDeployment(Json.parse(r.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        // Same tree, same environment: the release is reused, no build.
        assertTrue(d.path("reusedRelease").asBoolean(), d.toString());
        JsonNode page1 = Json.parse(api.json("GET", "/apps/" + APP + "/previews?limit=1", null).body());
        assertEquals(1, page1.path("previews").size());
        JsonNode page2 = Json.parse(api.json("GET", "/apps/" + APP + "/previews?limit=1&cursor=" + page1.path("nextCursor").asText(), null).body());
        assertEquals(1, page2.path("previews").size(), page2.toString());
        assertNotEquals(page1.path("previews").get(0).path("name"), page2.path("previews").get(0).path("name"));
        // A listed preview reads as it does alone (the page's aliases come in one batch read).
        for (JsonNode listed : new JsonNode[]{page1.path("previews").get(0), page2.path("previews").get(0)}) {
            JsonNode alone = Json.parse(api.json("GET", "/apps/" + APP + "/previews/" + listed.path("name").asText(), null).body());
            assertEquals("live", listed.path("status").asText(), listed.toString());
            assertEquals(alone.path("releaseId").asText(), listed.path("releaseId").asText());
            assertEquals(alone.path("aliasVersion").asLong(), listed.path("aliasVersion").asLong());
        }
        assertProblem(api.json("GET", "/apps/" + APP + "/previews?cursor=QkFEIE5BTUU", null), 400, "invalid-query");
        assertProblem(api.json("GET", "/apps/" + APP + "/previews?cursor=not*base64", null), 400, "invalid-query");
    }

    @Test
    @Order(5)
    void patchMovesTheExpiryAndDeleteRemovesThePreview() throws Exception {
        HttpResponse<String> r = api.json("PATCH", "/apps/" + APP + "/previews/main", "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode p = Json.parse(r.body()).path("preview");
        assertEquals("2020-01-01T00:00:00Z", p.path("expiresAt").asText());
        assertTrue(p.path("expired").asBoolean());
        // Expired but not yet cleaned up: still served until the cleanup runs.
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host("main--" + APP), "/").status());

        long seq = ledger.head(APP).seq();
        HttpResponse<String> del = api.json("DELETE", "/apps/" + APP + "/previews/main", null);
        assertEquals(200, del.statusCode(), del.body());
        assertEquals(seq + 1, ledger.head(APP).seq(), "one audit event for the removal");
        assertEquals(404, EdgeClient.get(runtime.edge().port(), host("main--" + APP), "/").status());
        assertTrue(store.aliases().get(APP, "preview:main").isEmpty());
        assertTrue(store.previews().get(APP, "main").isEmpty());
        assertProblem(api.json("GET", "/apps/" + APP + "/previews/main", null), 404, "preview-not-found");
        // feature-x still serves: removing one preview touches no other.
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host("feature-x--" + APP), "/").status());
    }

    @Test
    @Order(6)
    void aPreviewBuiltWithProductionsValuesIsPromotedWithoutABuild() throws Exception {
        String serving = Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body()).path("releaseId").asText();
        long deployments = Json.parse(api.json("GET", "/apps/" + APP + "/deployments?limit=100", null).body()).path("deployments").size();
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/previews/feature-x/promote", "{}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.parse(r.body());
        assertFalse(body.path("rebuilt").asBoolean());
        assertEquals(serving, body.path("production").path("current").asText(), body.toString());
        EdgeClient.awaitProduction(runtime.edge().port(), APP, serving);
        assertEquals(deployments, Json.parse(api.json("GET", "/apps/" + APP + "/deployments?limit=100", null).body()).path("deployments").size(),
                "no build, no deployment");
    }

    @Test
    @Order(7)
    void aPreviewBuiltWithOtherValuesIsRefusedNamingThemOrRebuilt() throws Exception {
        String serving = Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body()).path("releaseId").asText();
        HttpResponse<String> env = api.json("PATCH", "/apps/" + APP + "/environment",
                "{\"set\":{\"VITE_BACKEND\":{\"value\":\"https://api.shop.example\",\"scopes\":[\"production\"]}}}");
        assertEquals(200, env.statusCode(), env.body());
        long seq = ledger.head(APP).seq();
        HttpResponse<String> refused = api.json("POST", "/apps/" + APP + "/previews/feature-x/promote", "{}");
        assertProblem(refused, 409, "preview-environment-differs");
        JsonNode problem = Json.parse(refused.body());
        assertEquals("/environment/VITE_BACKEND", problem.path("errors").get(0).path("pointer").asText(), problem.toString());
        assertEquals("production only", problem.path("errors").get(0).path("detail").asText());
        assertFalse(refused.body().contains("api.shop.example"), "a value leaked into the answer");
        assertEquals(seq, ledger.head(APP).seq(), "a refused promotion changed something");

        HttpResponse<String> rebuilt = api.json("POST", "/apps/" + APP + "/previews/feature-x/promote", "{\"rebuild\":true}");
        assertEquals(202, rebuilt.statusCode(), rebuilt.body());
        JsonNode d = awaitDeployment(Json.parse(rebuilt.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertEquals("production", d.path("target").asText());
        assertFalse(d.path("reusedRelease").asBoolean(), "production's values differ: a new build");
        assertNotEquals(serving, d.path("releaseId").asText());
        EdgeClient.awaitPromoted(runtime.edge().port(), d);
        // The preview still serves what it served.
        assertEquals(serving, Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body()).path("releaseId").asText());
    }

    @Test
    @Order(8)
    void anExpiredPreviewIsCleanedUpWithWhatOnlyItUsed() throws Exception {
        String serving = Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body()).path("releaseId").asText();
        assertEquals(200, api.json("PATCH", "/apps/" + APP + "/previews/feature-x", "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}").statusCode());
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host(firstRelease + "--" + APP), "/").status());

        HttpResponse<String> r = api.json("POST", "/cleanup", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode run = Json.parse(r.body());
        assertEquals(1, run.path("previewsExpired").asInt(), run.toString());
        assertTrue(run.path("releasesRemoved").asInt() >= 1, run.toString());
        assertTrue(run.path("bytesRemoved").asLong() > 0, run.toString());
        assertTrue(run.path("complete").asBoolean(), run.toString());

        // The preview, its alias and its edge entry are gone.
        assertProblem(api.json("GET", "/apps/" + APP + "/previews/feature-x", null), 404, "preview-not-found");
        assertTrue(store.aliases().get(APP, "preview:feature-x").isEmpty());
        assertEquals(404, EdgeClient.get(runtime.edge().port(), host("feature-x--" + APP), "/").status());
        // The release only it had used is removed, files and all, with its audit event.
        assertEquals("DELETED", store.releases().get(APP, firstRelease).orElseThrow().status().name());
        assertEquals(404, EdgeClient.get(runtime.edge().port(), host(firstRelease + "--" + APP), "/").status());
        // The release it served was production once: the retention rule keeps it, files and all.
        assertEquals("READY", store.releases().get(APP, serving).orElseThrow().status().name());
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host(serving + "--" + APP), "/").status());
        // Production is untouched.
        String production = store.aliases().get(APP, "production").orElseThrow().releaseId();
        assertEquals("READY", store.releases().get(APP, production).orElseThrow().status().name());
        assertEquals(200, EdgeClient.get(runtime.edge().port(), host(APP), "/").status());
        assertTrue(Json.parse(api.json("GET", "/apps/" + APP + "/audit/verify", null).body()).path("valid").asBoolean());

        // Again: nothing left to do.
        JsonNode again = Json.parse(api.json("POST", "/cleanup", null).body());
        assertEquals(0, again.path("previewsExpired").asInt(), again.toString());
        assertEquals(0, again.path("releasesRemoved").asInt(), again.toString());
    }

    // ---- helpers

    static void importApp(Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + APP + "/imports", Exports.zip("shop-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    static JsonNode awaitDeployment(String id) throws Exception {
        return api.awaitDeployment(APP, id);
    }

    /** The edge follows the alias by milliseconds: waits until the preview host serves the release's bytes. */
    static String awaitPreview(String name, String releaseId) throws Exception {
        String want = EdgeClient.get(runtime.edge().port(), host(releaseId + "--" + APP), "/").text();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        EdgeClient.Reply got = null;
        while (Instant.now().isBefore(deadline)) {
            got = EdgeClient.get(runtime.edge().port(), host(name + "--" + APP), "/");
            if (got.status() == 200 && got.text().equals(want)) {
                return got.text();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("preview " + name + " does not serve " + releaseId + ": " + (got == null ? "" : got.status() + " " + got.text()));
    }

    static String host(String label) {
        return slipway.edge().host(label);
    }

    static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }
}
