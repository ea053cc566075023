package dev.slipway.local.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's sign-in over HTTP through `slipway up`: a token exchanged for a cookie (its flags), the
 * session acting as that token and no more, CSRF and Origin on every change, sign-out, expiry, the token's
 * revocation ending its sessions, wrong tokens refused and counted; the console's files and their headers.
 */
class ConsoleSessionTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().scheduleInterval(java.time.Duration.ZERO).build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static String deployerToken;
    static String deployerId;

    /** A signed-in browser: its cookie and CSRF value. */
    record Browser(String cookie, String csrf, JsonNode session, HttpResponse<String> response) {
    }

    @BeforeAll
    static void appsAndToken() throws Exception {
        for (String app : List.of("shop", "other")) {
            assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}").statusCode());
        }
        HttpResponse<String> t = slipway.api().json("POST", "/tokens", "{\"name\":\"console\",\"role\":\"deployer\",\"apps\":[\"shop\"]}");
        assertEquals(201, t.statusCode(), t.body());
        deployerToken = Json.parse(t.body()).get("token").asText();
        deployerId = Json.parse(t.body()).get("tokenId").asText();
    }

    static String origin() {
        return slipway.runtime().apiUrl();
    }

    static HttpResponse<String> send(String method, String path, String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(slipway.runtime().apiUrl() + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("content-type", "application/json");
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Browser signIn(String token) throws Exception {
        HttpResponse<String> r = send("POST", "/session", "{\"token\":\"" + token + "\"}", Map.of("origin", origin()));
        assertEquals(201, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        String cookie = setCookie.split(";", 2)[0];
        JsonNode body = Json.parse(r.body());
        return new Browser(cookie, body.get("csrfToken").asText(), body, r);
    }

    static HttpResponse<String> as(Browser b, String method, String path, String json, boolean csrf, String origin) throws Exception {
        var h = new java.util.LinkedHashMap<String, String>();
        h.put("cookie", b.cookie());
        if (csrf) {
            h.put("x-slipway-csrf", b.csrf());
        }
        if (origin != null) {
            h.put("origin", origin);
        }
        return send(method, path, json, h);
    }

    static String type(HttpResponse<String> r) {
        return Json.parse(r.body()).path("type").asText().replace("urn:slipway:problem:", "");
    }

    @Test
    void signInGivesAStrictHttpOnlyCookieThatActsAsTheTokenAndNoMore() throws Exception {
        Browser b = signIn(deployerToken);
        String setCookie = b.response().headers().firstValue("set-cookie").orElseThrow();
        assertTrue(b.cookie().startsWith("slipway_session="), setCookie);
        for (String flag : List.of("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=")) {
            assertTrue(setCookie.contains(flag), flag + " missing: " + setCookie);
        }
        assertFalse(setCookie.contains("Secure"), "plain http on 127.0.0.1 locally: " + setCookie);
        assertTrue(dev.slipway.functions.apps.SessionHandler.cookie("v", 60, true).endsWith("; Secure"), "in AWS (https) the cookie is Secure");
        assertEquals("deployer", b.session().get("role").asText());
        assertEquals("[\"shop\"]", b.session().get("apps").toString());
        assertEquals("token", b.session().at("/principal/kind").asText());
        assertFalse(b.response().body().contains(deployerToken), "the token is not echoed");
        assertEquals("true", b.response().headers().firstValue("x-slipway-shown-once").orElse(""));

        assertEquals(200, as(b, "GET", "/apps/shop", null, false, null).statusCode());
        assertEquals("forbidden-app", type(as(b, "GET", "/apps/other", null, false, null)));
        assertEquals("forbidden-role", type(as(b, "GET", "/tokens", null, false, null)));
        assertEquals("forbidden-role", type(as(b, "PATCH", "/apps/shop", "{\"name\":\"x\"}", true, origin())));
        // GET /session hands the CSRF value again (a reloaded page keeps nothing).
        HttpResponse<String> shown = as(b, "GET", "/session", null, false, null);
        assertEquals(200, shown.statusCode(), shown.body());
        assertEquals(b.csrf(), Json.parse(shown.body()).get("csrfToken").asText());
        assertEquals("no-store", shown.headers().firstValue("cache-control").orElse(""));
        // The stored session holds the cookie's hash, never the cookie's secret.
        String scan = slipway.dynamo().scan(s -> s.tableName(slipway.tableName("AccessTable"))).items().toString();
        assertFalse(scan.contains(b.cookie().substring(b.cookie().indexOf('.') + 1)), "a cookie secret in the access table");
    }

    @Test
    void aChangeNeedsTheCsrfValueAndTheApiOrigin() throws Exception {
        Browser b = signIn(deployerToken);
        assertEquals("csrf-rejected", type(as(b, "POST", "/apps/shop/pin", "{}", false, origin())));
        assertEquals("csrf-rejected", type(as(b, "POST", "/apps/shop/pin", "{}", true, null)));
        assertEquals("csrf-rejected", type(as(b, "POST", "/apps/shop/pin", "{}", true, "http://evil.localhost:4748")));
        HttpResponse<String> wrong = as(new Browser(b.cookie(), b.csrf().substring(1) + "x", null, null), "POST", "/apps/shop/pin", "{}", true, origin());
        assertEquals(403, wrong.statusCode());
        assertEquals("csrf-rejected", type(wrong));
        // With both, the change goes through as the token (it is refused here only because shop has no production yet).
        HttpResponse<String> ok = as(b, "POST", "/apps/shop/pin", "{}", true, origin());
        assertFalse(List.of(401, 403).contains(ok.statusCode()), ok.body());
        HttpResponse<String> hook = as(b, "POST", "/apps/shop/hooks", "{\"name\":\"ci\",\"ref\":\"main\",\"target\":\"production\"}", true, origin());
        assertEquals(201, hook.statusCode(), hook.body());
        JsonNode events = Json.parse(slipway.api().json("GET", "/apps/shop/audit", null).body()).get("events");
        assertEquals("token:" + deployerId + ":console", events.get(events.size() - 1).get("actor").asText(), events.toString());
    }

    @Test
    void aWrongTokenIsRefusedAndLeavesNoSession() throws Exception {
        long before = sessions();
        for (String token : List.of("slwt_" + "0".repeat(64), "nope", "a b")) {
            HttpResponse<String> r = send("POST", "/session", "{\"token\":\"" + token + "\"}", Map.of("origin", origin()));
            assertEquals(401, r.statusCode(), r.body());
            assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
            assertTrue(r.headers().firstValue("set-cookie").isEmpty());
        }
        assertEquals(400, send("POST", "/session", "{}", Map.of()).statusCode());
        assertEquals(400, send("POST", "/session", "{\"token\":\"x\",\"role\":\"admin\"}", Map.of()).statusCode());
        assertEquals("csrf-rejected", type(send("POST", "/session", "{\"token\":\"" + deployerToken + "\"}", Map.of("origin", "http://evil.example"))));
        assertEquals(401, send("GET", "/apps/shop", null, Map.of("cookie", "slipway_session=01JZZZZZZZZZZZZZZZZZZZZZZZ." + "a".repeat(43))).statusCode());
        assertEquals(before, sessions());
    }

    @Test
    void signOutDeletesTheSessionAndClearsTheCookie() throws Exception {
        Browser b = signIn(deployerToken);
        assertEquals("csrf-rejected", type(as(b, "DELETE", "/session", null, false, origin())));
        HttpResponse<String> out = as(b, "DELETE", "/session", null, true, origin());
        assertEquals(200, out.statusCode(), out.body());
        assertTrue(out.headers().firstValue("set-cookie").orElse("").contains("Max-Age=0"));
        assertEquals(401, as(b, "GET", "/apps/shop", null, false, null).statusCode());
        HttpResponse<String> after = as(b, "GET", "/session", null, false, null);
        assertEquals(200, after.statusCode(), after.body());
        assertEquals("{\"signedIn\":false}", after.body());
        var chain = slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable")).keyConditionExpression("appId = :a")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("_sessions")))).items().toString();
        assertTrue(chain.contains("session.created") && chain.contains("session.ended"), chain);
    }

    @Test
    void aSessionEndsAtItsExpiryAndWithItsToken() throws Exception {
        Browser b = signIn(deployerToken);
        String id = b.cookie().substring("slipway_session=".length(), b.cookie().indexOf('.'));
        Instant expires = Instant.parse(b.session().get("expiresAt").asText());
        assertTrue(expires.isAfter(Instant.now().plusSeconds(11 * 3600)) && expires.isBefore(Instant.now().plusSeconds(12 * 3600 + 60)), expires.toString());
        slipway.dynamo().updateItem(u -> u.tableName(slipway.tableName("AccessTable"))
                .key(Map.of("id", AttributeValue.fromS("session#" + id)))
                .updateExpression("SET expiresAt = :e").expressionAttributeValues(Map.of(":e", AttributeValue.fromS(Instant.now().minusSeconds(1).toString()))));
        assertEquals(401, as(b, "GET", "/apps/shop", null, false, null).statusCode());

        HttpResponse<String> t = slipway.api().json("POST", "/tokens", "{\"name\":\"short\",\"role\":\"viewer\",\"apps\":[\"shop\"]}");
        JsonNode token = Json.parse(t.body());
        Browser viewer = signIn(token.get("token").asText());
        assertEquals(200, as(viewer, "GET", "/apps/shop", null, false, null).statusCode());
        assertEquals(200, slipway.api().json("DELETE", "/tokens/" + token.get("tokenId").asText(), null).statusCode());
        assertEquals(401, as(viewer, "GET", "/apps/shop", null, false, null).statusCode());
        // The admin token signs in too, as admin over every app.
        Browser admin = signIn(slipway.runtime().adminToken());
        assertEquals("admin", admin.session().get("role").asText());
        assertEquals(200, as(admin, "GET", "/tokens", null, false, null).statusCode());
    }

    @Test
    void anAdminSessionEndsWhenTheAdminTokenIsReplaced() throws Exception {
        Browser admin = signIn(slipway.runtime().adminToken());
        // The same parts as a function's, over this runtime's tables, with an admin hash the test can replace.
        String access = slipway.tableName("AccessTable");
        var ledger = new dev.slipway.shared.audit.AuditLedger(slipway.enhanced(), slipway.tableName("AuditTable"));
        var tokens = new dev.slipway.shared.auth.TokenService(
                new dev.slipway.shared.auth.TokenStore(slipway.enhanced(), slipway.dynamo(), access, ledger), java.time.Clock.systemUTC());
        var sessions = new dev.slipway.shared.auth.SessionService(
                new dev.slipway.shared.auth.SessionStore(slipway.enhanced(), access, ledger), tokens, java.time.Clock.systemUTC());
        String[] hash = {dev.slipway.shared.auth.AdminTokens.sha256Hex(slipway.runtime().adminToken())};
        var auth = new dev.slipway.shared.auth.Authenticator(new dev.slipway.shared.auth.AdminAuth(() -> hash[0]), tokens, sessions,
                new dev.slipway.shared.auth.FailedAuthLimit(slipway.dynamo(), access, 1000, java.time.Clock.systemUTC()));
        var credentials = new dev.slipway.shared.auth.Authenticator.Credentials(null, List.of(admin.cookie()), null, null, null, false, "203.0.113.9");
        assertEquals(dev.slipway.shared.auth.Principal.Kind.ADMIN, auth.authenticate(credentials).kind());
        hash[0] = dev.slipway.shared.auth.AdminTokens.sha256Hex(dev.slipway.shared.auth.AdminTokens.generate());
        org.junit.jupiter.api.Assertions.assertThrows(dev.slipway.shared.errors.DomainException.class, () -> auth.authenticate(credentials));
        assertTrue(auth.session(credentials).isEmpty());

        // Wrong session cookies count against their source like wrong tokens: past the limit, 429 instead of 401.
        var limited = new dev.slipway.shared.auth.Authenticator(new dev.slipway.shared.auth.AdminAuth(() -> hash[0]), tokens, sessions,
                new dev.slipway.shared.auth.FailedAuthLimit(slipway.dynamo(), access, 3, java.time.Clock.systemUTC()));
        var forged = new dev.slipway.shared.auth.Authenticator.Credentials(null,
                List.of("slipway_session=01JZZZZZZZZZZZZZZZZZZZZZZZ." + "b".repeat(43)), null, null, null, false, "198.51.100.77");
        int refused = 0;
        for (int i = 0; i < 6; i++) {
            try {
                limited.authenticate(forged);
            } catch (dev.slipway.shared.auth.FailedAuthLimit.TooManyFailures t) {
                break;
            } catch (dev.slipway.shared.errors.DomainException unauthorized) {
                refused++;
            }
        }
        assertTrue(refused >= 3 && refused < 6, "401s before the 429: " + refused);
    }

    @Test
    void theConsoleIsServedFromTheApiOriginWithAStrictPolicy() throws Exception {
        HttpResponse<String> index = send("GET", "/console", null, Map.of());
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        String csp = index.headers().firstValue("content-security-policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
        // Requests go to this origin, and large imports to the bucket's (the local S3 server here), nowhere else.
        assertTrue(csp.contains("connect-src 'self' " + slipway.runtime().functions().environment("ConsoleFunction").get("AWS_ENDPOINT_URL_S3") + ";"), csp);
        assertTrue(index.body().contains("/console/app.js"), index.body());
        HttpResponse<String> js = send("GET", "/console/app.js", null, Map.of());
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));
        assertEquals(200, send("GET", "/console/", null, Map.of()).statusCode());
        for (String bad : List.of("/console/nope.js", "/console/.env", "/console/..%2Fpom.xml", "/console/app.class")) {
            assertEquals(404, send("GET", bad, null, Map.of()).statusCode(), bad);
        }
        JsonNode rt = Json.parse(Files.readString(slipway.runtime().runtimeJson()));
        assertEquals(slipway.runtime().apiUrl() + "/console/", rt.get("consoleUrl").asText());
        assertNotNull(rt.get("apiUrl"));
    }

    static long sessions() {
        return slipway.dynamo().scan(s -> s.tableName(slipway.tableName("AccessTable"))).items().stream()
                .filter(i -> i.get("id").s().startsWith("session#")).count();
    }
}
