package dev.slipway.local.preview;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.deploy.ViteApp;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A protected preview through `slipway up`, API to edge: the token the API shows once opens the
 * preview (query parameter → cookie, or header), nothing else does; a new token revokes the old
 * cookie at once; made public, it opens for anyone. The edge's routes file never holds the token.
 */
class ProtectedPreviewEdgeTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static final String APP = "vault";

    /** Given an app with a Vite site on main. */
    @BeforeAll
    static void up() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Vault\"}").statusCode());
        HttpResponse<String> imported = api.send("POST", "/apps/" + APP + "/imports",
                Exports.zip("vault-main/", ViteApp.files("Only with the token")), "application/zip");
        assertTrue(imported.statusCode() == 201 || imported.statusCode() == 200, imported.body());
    }

    @Test
    void theTokenOpensTheProtectedPreviewAndANewOneRevokesIt() throws Exception {
        // When main is deployed to a protected preview, the API shows its token once.
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"secret\",\"protected\":true}");
        assertEquals(202, r.statusCode(), r.body());
        String token = Json.parse(r.body()).path("token").asText();
        assertEquals(43, token.length(), r.body());
        JsonNode d = awaitDeployment(Json.parse(r.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        String release = d.path("releaseId").asText();
        String want = get(release + "--" + APP, "/").text();

        // Then without the token the preview is refused; the token in a header opens it,
        EdgeClient.Reply denied = awaitStatus("secret--" + APP, 401);
        assertFalse(denied.text().contains("Only with the token"));
        assertEquals(want, get("secret--" + APP, "/", "x-slipway-preview-token", token).text());

        // and in the query it becomes a cookie (redirect without it) that opens it too.
        EdgeClient.Reply redirect = get("secret--" + APP, "/pricing?slipway_token=" + token + "&ref=mail");
        assertEquals(302, redirect.status());
        assertEquals("/pricing?ref=mail", redirect.header("location"));
        String cookie = redirect.header("set-cookie").split(";")[0];
        assertEquals("slipway_preview=" + token, cookie);
        EdgeClient.Reply withCookie = get("secret--" + APP, "/pricing", "cookie", cookie);
        assertEquals(200, withCookie.status());
        assertEquals(want, withCookie.text());

        // What the edge keeps on disk: the routes file and the journal of changes beside it.
        Path data = slipway.dataDir();
        String routes = (Files.isRegularFile(data.resolve("edge-routes.json")) ? Files.readString(data.resolve("edge-routes.json")) : "")
                + Files.readString(data.resolve("edge-routes.json.log"));
        assertFalse(routes.contains(token), "the edge keeps the hash, never the token");
        assertTrue(routes.contains("\"secret--" + APP + "\":\"" + release + ":"), routes);

        // A new token: the old cookie stops working at once, the new token works.
        HttpResponse<String> rotated = api.json("POST", "/apps/" + APP + "/previews/secret/token", null);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String next = Json.parse(rotated.body()).path("token").asText();
        assertNotEquals(token, next);
        assertEquals(401, get("secret--" + APP, "/", "cookie", cookie).status(), "old cookie after a new token");
        assertEquals(200, get("secret--" + APP, "/", "cookie", "slipway_preview=" + next).status());

        // Made public: anyone gets in.
        HttpResponse<String> open = api.json("PATCH", "/apps/" + APP + "/previews/secret", "{\"protected\":false}");
        assertEquals(200, open.statusCode(), open.body());
        assertEquals(want, get("secret--" + APP, "/").text());
    }

    @Test
    void fiveConcurrentCreationsOfOneProtectedPreviewShowOneTokenAndItWorks() throws Exception {
        // When five identical requests create the same protected preview at once
        int n = 5;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<HttpResponse<String>>> sent = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sent.add(pool.submit(() -> {
                    start.await();
                    return api.json("POST", "/apps/" + APP + "/previews", "{\"ref\":\"main\",\"name\":\"race\",\"protected\":true}");
                }));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : sent) {
                answers.add(f.get(2, TimeUnit.MINUTES));
            }

            // then exactly one answer carries a token: the creation that won. The others were refused with
            // preview-exists (no token, no deployment), or, arriving after it, redeployed it without a token.
            List<String> tokens = new ArrayList<>();
            List<String> deployments = new ArrayList<>();
            String winner = null;
            int refused = 0;
            for (HttpResponse<String> r : answers) {
                JsonNode body = Json.parse(r.body());
                if (r.statusCode() == 409) {
                    assertEquals("urn:slipway:problem:preview-exists", body.path("type").asText(), r.body());
                    assertFalse(body.has("token"), r.body());
                    refused++;
                    continue;
                }
                assertEquals(202, r.statusCode(), r.body());
                deployments.add(body.path("deployment").path("deploymentId").asText());
                if (body.hasNonNull("token")) {
                    tokens.add(body.path("token").asText());
                    winner = body.path("deployment").path("deploymentId").asText();
                }
            }
            assertEquals(1, tokens.size(), "one once-shown token, not one per request: " + answers.stream().map(HttpResponse::body).toList());
            assertEquals(n, refused + deployments.size());
            String release = null;
            for (String id : deployments) {
                JsonNode d = awaitDeployment(id);
                assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
                if (id.equals(winner)) {
                    release = d.path("releaseId").asText();
                }
            }
            String want = get(release + "--" + APP, "/").text();

            // and that token opens the preview at the edge, which refuses a visitor without it.
            awaitStatus("race--" + APP, 401);
            EdgeClient.Reply opened = get("race--" + APP, "/", "x-slipway-preview-token", tokens.get(0));
            assertEquals(200, opened.status(), opened.text());
            assertEquals(want, opened.text());
        } finally {
            pool.shutdownNow();
        }
    }

    static EdgeClient.Reply awaitStatus(String label, int status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        EdgeClient.Reply got = get(label, "/");
        while (got.status() != status && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            got = get(label, "/");
        }
        assertEquals(status, got.status(), got.text());
        return got;
    }

    static JsonNode awaitDeployment(String id) throws Exception {
        return api.awaitDeployment(APP, id);
    }

    static EdgeClient.Reply get(String label, String path, String... headers) throws Exception {
        return slipway.edge().site(label, path, headers);
    }
}
