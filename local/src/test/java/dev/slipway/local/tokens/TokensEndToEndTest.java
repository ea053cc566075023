package dev.slipway.local.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.auth.Role;
import dev.slipway.shared.auth.RouteAccess;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scoped tokens through `slipway up`: every route of RouteAccess called with a viewer, deployer and
 * admin token of app "shop", a deployer of another app, an expired and a revoked token and the
 * bootstrap admin token; rotation overlap; the listing; the actor in audit events; the failed-auth limit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokensEndToEndTest {
    /** High enough for the matrix's expired and revoked calls; the last test runs into it. */
    static final int LIMIT = 400;

    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().scheduleInterval(java.time.Duration.ZERO)
            .environment("FAILED_AUTH_PER_MINUTE", Integer.toString(LIMIT)).build();

    static final Map<String, String> tokens = new LinkedHashMap<>();
    static final Map<String, String> ids = new LinkedHashMap<>();

    static AdminApi as(String who) {
        String token = who.equals("bootstrap") ? slipway.runtime().adminToken() : tokens.get(who);
        return new AdminApi(() -> slipway.runtime().apiUrl(), () -> token);
    }

    static JsonNode create(String name, String role, String apps, String expiresAt) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"apps\":" + apps
                + (expiresAt == null ? "" : ",\"expiresAt\":\"" + expiresAt + "\"") + "}";
        HttpResponse<String> r = slipway.api().json("POST", "/tokens", body);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("true", r.headers().firstValue("x-slipway-shown-once").orElse(""));
        JsonNode n = Json.parse(r.body());
        tokens.put(name, n.get("token").asText());
        ids.put(name, n.get("tokenId").asText());
        return n;
    }

    @BeforeAll
    static void appsAndTokens() throws Exception {
        for (String app : List.of("shop", "other")) {
            assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}").statusCode());
        }
        create("viewer", "viewer", "[\"shop\"]", null);
        create("deployer", "deployer", "[\"shop\"]", null);
        create("admin", "admin", "\"*\"", null);
        create("other-app", "deployer", "[\"other\"]", null);
        create("expired", "admin", "\"*\"", Instant.now().plusSeconds(2).toString());
        create("revoked", "admin", "\"*\"", null);
        assertEquals(200, slipway.api().json("DELETE", "/tokens/" + ids.get("revoked"), null).statusCode());
        Thread.sleep(2100);
    }

    /** The route with its parameters filled in: app "shop", ids that exist nowhere. */
    static String path(String routeKey) {
        return routeKey.split(" ", 2)[1].replace("{appId}", "shop").replace("{deploymentId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ")
                .replace("{releaseId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ").replace("{name}", "nope").replace("{sha}", "0".repeat(40))
                .replace("{tokenId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ").replace("{hookId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ")
                .replace("{backupId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ").replace("{restoreId}", "01JZZZZZZZZZZZZZZZZZZZZZZZ")
                .replace("{secret}", "x").replace("{repo}", "shop.git").replace("{file+}", "shop.zip")
                // any other id a new route takes (moveId …): one that exists nowhere
                .replaceAll("\\{[A-Za-z]+Id\\}", "01JZZZZZZZZZZZZZZZZZZZZZZZ");
    }

    @Test
    @Order(1)
    void everyRouteWithEveryKindOfToken() throws Exception {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (var e : RouteAccess.table().entrySet()) {
            RouteAccess.Rule rule = e.getValue();
            if (rule.role() == null) {
                continue;
            }
            String method = e.getKey().split(" ", 2)[0];
            String path = path(e.getKey());
            for (String who : List.of("viewer", "deployer", "admin", "bootstrap", "other-app", "expired", "revoked")) {
                // No body: a route that lets the caller in refuses the request itself (400/404/409/415 …)
                // rather than changing anything, so the matrix leaves the apps as they were.
                HttpResponse<String> r = as(who).json(method, path, null);
                String expected = expectation(who, rule, e.getKey());
                String got = r.statusCode() == 401 ? "401" : r.statusCode() == 403 ? "403 " + Json.parse(r.body()).path("type").asText()
                        .replace("urn:slipway:problem:", "") : "in";
                checked++;
                if (!expected.equals(got)) {
                    wrong.add(who + " " + e.getKey() + ": expected " + expected + ", got " + r.statusCode() + " " + r.body());
                }
            }
        }
        assertTrue(checked > 250, "checked " + checked);
        assertEquals(List.of(), wrong);
    }

    static String expectation(String who, RouteAccess.Rule rule, String routeKey) {
        return switch (who) {
            case "expired", "revoked" -> "401";
            case "admin", "bootstrap" -> "in";
            case "viewer", "deployer" -> Role.valueOf(who.toUpperCase()).covers(rule.role()) ? "in" : "403 forbidden-role";
            case "other-app" -> !Role.DEPLOYER.covers(rule.role()) ? "403 forbidden-role"
                    : rule.perApp() || rule.role() != Role.VIEWER ? "403 forbidden-app" : "in";
            default -> throw new IllegalArgumentException(who);
        };
    }

    @Test
    @Order(2)
    void aTokenForSomeAppsListsOnlyThoseAndTheListingShowsNoSecret() throws Exception {
        JsonNode apps = Json.parse(as("other-app").json("GET", "/apps", null).body()).get("apps");
        assertEquals(1, apps.size(), apps.toString());
        assertEquals("other", apps.get(0).get("id").asText());

        String listing = slipway.api().json("GET", "/tokens", null).body();
        for (String secret : tokens.values()) {
            assertFalse(listing.contains(secret.substring(5)), "a secret in the listing");
        }
        JsonNode viewer = find(Json.parse(listing).get("tokens"), ids.get("viewer"));
        assertEquals("viewer", viewer.get("role").asText());
        assertEquals("shop", viewer.get("apps").get(0).asText());
        assertTrue(viewer.has("lastUsedAt") && viewer.has("expiresAt") && viewer.has("createdAt"), viewer.toString());
        assertFalse(viewer.has("token") || viewer.has("sha256"), viewer.toString());
        assertTrue(find(Json.parse(listing).get("tokens"), ids.get("revoked")).has("revokedAt"));
        // The stored item holds the hash, never the secret.
        var scan = slipway.dynamo().scan(s -> s.tableName(slipway.tableName("AccessTable"))).items().toString();
        for (String secret : tokens.values()) {
            assertFalse(scan.contains(secret.substring(5)), "a secret in the access table");
        }
    }

    @Test
    @Order(3)
    void theActorIsTheTokenItsIdAndName() throws Exception {
        assertEquals(200, as("admin").json("PATCH", "/apps/shop", "{\"name\":\"Shop by token\"}").statusCode());
        JsonNode events = Json.parse(slipway.api().json("GET", "/apps/shop/audit", null).body()).get("events");
        JsonNode last = events.get(events.size() - 1);
        assertEquals("app.updated", last.get("action").asText(), events.toString());
        assertEquals("token:" + ids.get("admin") + ":admin", last.get("actor").asText());
        // Token changes have their own chain, with the bootstrap admin as their actor here.
        var chain = slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable")).keyConditionExpression("appId = :a")
                .expressionAttributeValues(Map.of(":a", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("_tokens")))).items();
        assertTrue(chain.size() >= 8, String.valueOf(chain.size()));
        assertTrue(chain.toString().contains("token.revoked"));
    }

    @Test
    @Order(4)
    void rotationKeepsTheOldTokenUntilTheTimeSet() throws Exception {
        String old = tokens.get("deployer");
        HttpResponse<String> r = slipway.api().json("POST", "/tokens/" + ids.get("deployer") + "/rotate",
                "{\"oldExpiresAt\":\"" + Instant.now().plusSeconds(3) + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode rotated = Json.parse(r.body());
        String fresh = rotated.get("token").asText();
        assertNotEquals(old, fresh);
        assertEquals("deployer", rotated.get("role").asText());
        assertEquals(rotated.get("tokenId").asText(), rotated.get("old").get("rotatedTo").asText());
        AdminApi oldApi = new AdminApi(() -> slipway.runtime().apiUrl(), () -> old);
        AdminApi newApi = new AdminApi(() -> slipway.runtime().apiUrl(), () -> fresh);
        assertEquals(200, oldApi.json("GET", "/apps/shop", null).statusCode());
        assertEquals(200, newApi.json("GET", "/apps/shop", null).statusCode());
        Thread.sleep(3100);
        assertEquals(401, oldApi.json("GET", "/apps/shop", null).statusCode());
        assertEquals(200, newApi.json("GET", "/apps/shop", null).statusCode());
        assertEquals(403, newApi.json("GET", "/apps/other", null).statusCode());
    }

    @Test
    @Order(5)
    void badRequestsForTokensAreRefusedAndWriteNothing() throws Exception {
        int before = Json.parse(slipway.api().json("GET", "/tokens", null).body()).get("tokens").size();
        for (String body : List.of("{}", "{\"name\":\"x\",\"role\":\"owner\",\"apps\":\"*\"}",
                "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":[]}", "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":[\"Bad!\"]}",
                "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":\"*\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}",
                "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":\"*\",\"expiresAt\":\"" + Instant.now().plusSeconds(400L * 86400) + "\"}",
                "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":\"*\",\"expiresAt\":\"tomorrow\"}",
                "{\"name\":\"\\u202e\",\"role\":\"viewer\",\"apps\":\"*\"}",
                "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":\"*\",\"secret\":\"mine\"}")) {
            HttpResponse<String> r = slipway.api().json("POST", "/tokens", body);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
            assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        }
        assertEquals(404, slipway.api().json("DELETE", "/tokens/01JZZZZZZZZZZZZZZZZZZZZZZZ", null).statusCode());
        assertEquals(404, slipway.api().json("DELETE", "/tokens/not-an-id", null).statusCode());
        assertEquals(before, Json.parse(slipway.api().json("GET", "/tokens", null).body()).get("tokens").size());
        // A deployer cannot mint tokens, even for its own app.
        assertEquals(403, as("viewer").json("POST", "/tokens", "{\"name\":\"x\",\"role\":\"admin\",\"apps\":\"*\"}").statusCode());
    }

    @Test
    @Order(99)
    void failedAuthenticationsAreLimitedPerSource() throws Exception {
        AdminApi guess = new AdminApi(() -> slipway.runtime().apiUrl(), () -> "slwt_guess");
        HttpResponse<String> r = null;
        int sent = 0;
        while (sent < LIMIT + 10) {
            r = guess.json("GET", "/apps", null);
            sent++;
            if (r.statusCode() == 429) {
                break;
            }
            assertEquals(401, r.statusCode(), r.body());
        }
        assertEquals(429, r.statusCode(), "no 429 after " + sent);
        assertTrue(sent == LIMIT + 1 || sent <= LIMIT, "429 after " + sent);
        long retryAfter = Long.parseLong(r.headers().firstValue("retry-after").orElse("-1"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, String.valueOf(retryAfter));
        assertEquals("urn:slipway:problem:too-many-failed-authentications", Json.parse(r.body()).get("type").asText());
        // Every further wrong one is 429 until the minute ends; a right token still works (it costs no write).
        assertEquals(429, guess.json("GET", "/apps", null).statusCode());
        assertEquals(200, slipway.api().json("GET", "/apps", null).statusCode());
    }

    static JsonNode find(JsonNode list, String id) {
        for (JsonNode n : list) {
            if (n.get("tokenId").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no token " + id + " in " + list);
    }
}
