package dev.slipway.local.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What builders and CI connect with, through `slipway up`: a deploy hook handed out by a deployer token
 * (its URL deploys with no other credential, a repeated delivery id does the work once, a wrong or
 * revoked URL deploys nothing). Static sites, so no npm build is needed.
 */
class ConnectEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().scheduleInterval(Duration.ZERO).build();

    static AdminApi deployer;

    @BeforeAll
    static void appWithAStaticSite() throws Exception {
        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"site\",\"name\":\"Site\"}").statusCode());
        HttpResponse<String> imported = slipway.api().send("POST", "/apps/site/imports",
                Exports.zip("site/", Map.of("index.html", "<!doctype html><h1>from the hook</h1>\n")), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        HttpResponse<String> token = slipway.api().json("POST", "/tokens", "{\"name\":\"ci\",\"role\":\"deployer\",\"apps\":[\"site\"]}");
        assertEquals(201, token.statusCode(), token.body());
        String secret = Json.parse(token.body()).get("token").asText();
        deployer = new AdminApi(() -> slipway.runtime().apiUrl(), () -> secret);
    }

    static HttpResponse<String> deliver(String path, String deliveryId) throws Exception {
        HttpRequest.Builder b = slipway.api().anonymousRequest("POST", path, null, null);
        if (deliveryId != null) {
            b.header("idempotency-key", deliveryId);
        }
        return slipway.api().send(b.build());
    }

    static int deployments() throws Exception {
        return Json.parse(slipway.api().json("GET", "/apps/site/deployments", null).body()).get("deployments").size();
    }

    @Test
    void aHookUrlDeploysOnceWithNoOtherCredential() throws Exception {
        HttpResponse<String> created = deployer.json("POST", "/apps/site/hooks", "{\"name\":\"netlify-style\",\"ref\":\"main\",\"target\":\"production\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("true", created.headers().firstValue("x-slipway-shown-once").orElse(""));
        JsonNode hook = Json.parse(created.body());
        String path = hook.get("path").asText();
        String hookId = hook.get("hookId").asText();
        assertTrue(path.matches("/hooks/" + hookId + "/slwh_[0-9A-Za-z]{40}"), path);
        // The listing never shows the secret.
        String listing = deployer.json("GET", "/apps/site/hooks", null).body();
        assertFalse(listing.contains(path.substring(path.lastIndexOf('/') + 1)), listing);

        int before = deployments();
        assertEquals(401, deliver("/hooks/" + hookId + "/slwh_" + "x".repeat(40), null).statusCode());
        assertEquals(401, deliver("/hooks/01JZZZZZZZZZZZZZZZZZZZZZZZ/" + path.substring(path.lastIndexOf('/') + 1), null).statusCode());
        assertEquals(before, deployments(), "a wrong hook URL deployed something");

        HttpResponse<String> first = deliver(path, "delivery-1");
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> again = deliver(path, "delivery-1");
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().firstValue("idempotent-replayed").orElse(""));
        assertEquals(before + 1, deployments(), "a repeated delivery deployed twice");

        String deploymentId = Json.parse(first.body()).get("deployment").get("deploymentId").asText();
        JsonNode done = slipway.api().awaitDeployment("site", deploymentId);
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        assertEquals("hook", done.get("startedBy").get("kind").asText(), done.toString());
        assertEquals(hookId, done.get("startedBy").get("hookId").asText());
        assertEquals("netlify-style", done.get("startedBy").get("name").asText());
        slipway.edge().awaitPromoted(done);
        assertTrue(slipway.edge().site("site", "/").text().contains("from the hook"));

        // Revoked: the URL deploys nothing any more; the trail names who made, used and revoked it.
        assertEquals(200, deployer.json("DELETE", "/apps/site/hooks/" + hookId, null).statusCode());
        assertEquals(401, deliver(path, "delivery-2").statusCode());
        assertEquals(before + 1, deployments());
        String audit = slipway.api().json("GET", "/apps/site/audit", null).body();
        assertTrue(audit.contains("\"hook.created\"") && audit.contains("\"hook.revoked\""), audit);
        assertTrue(audit.contains("\"actor\":\"hook:" + hookId + ":netlify-style\""), audit);
    }

    @Test
    void aPreviewHookDeploysThePreviewNamedAfterItsRef() throws Exception {
        HttpResponse<String> created = deployer.json("POST", "/apps/site/hooks", "{\"name\":\"preview-hook\",\"ref\":\"main\",\"target\":\"preview\"}");
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> delivered = deliver(Json.parse(created.body()).get("path").asText(), null);
        assertEquals(202, delivered.statusCode(), delivered.body());
        JsonNode body = Json.parse(delivered.body());
        assertEquals("main", body.get("preview").asText());
        JsonNode done = slipway.api().awaitDeployment("site", body.get("deployment").get("deploymentId").asText());
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        assertEquals("preview:main", done.get("target").asText(), done.toString());
        slipway.edge().awaitPromoted(done);
        assertTrue(slipway.edge().site("main--site", "/").text().contains("from the hook"));
    }

    @Test
    void badHookRequestsAreRefusedAndWriteNothing() throws Exception {
        for (String body : new String[]{"{}", "{\"name\":\"x\",\"target\":\"staging\"}", "{\"name\":\"x\",\"ref\":\"../x\"}",
                "{\"name\":\"x\",\"ref\":\"-x\"}", "{\"name\":\"x\",\"extra\":1}"}) {
            HttpResponse<String> r = deployer.json("POST", "/apps/site/hooks", body);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
        }
        assertEquals(404, deployer.json("DELETE", "/apps/site/hooks/01JZZZZZZZZZZZZZZZZZZZZZZZ", null).statusCode());
    }
}
