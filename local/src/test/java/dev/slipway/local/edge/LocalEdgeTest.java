package dev.slipway.local.edge;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.deploy.routing.HttpEdgeRouter;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local edge over real HTTP against the embedded S3 server.
 *
 * <p>How the tests reach {@code shop.localhost}: Java's resolver does not map {@code *.localhost}
 * to loopback (UnknownHostException here: glibc "files dns" knows only {@code localhost}), and
 * java.net.http refuses a Host header unless {@code jdk.httpclient.allowRestrictedHeaders=host} is
 * set before its classes load, which one shared test JVM cannot promise. So the tests speak
 * HTTP/1.1 over a socket to 127.0.0.1 with the Host header a browser would send. curl and
 * browsers resolve {@code *.localhost} to loopback themselves.
 */
class LocalEdgeTest {
    private static final String TOKEN = "router-secret-for-the-local-edge-tests";
    private static final String REL = "01jxa7m2q3r4s5t6v7w8x9yz0a";
    private static final String REL2 = "01jxb7m2q3r4s5t6v7w8x9yz0b";
    private static final String INDEX = "<!doctype html><html><head><script src=\"/assets/index-4f3a9c1b.js\"></script></head>"
            + "<body><div id=\"root\"></div></body></html>\n".repeat(20);
    private static final String JS = "console.log('hello from the shop');\n".repeat(200);

    private static EmbeddedEngines engines;
    private static S3Client s3;
    private static String bucket;
    private static Path routesFile;
    private static LocalEdge edge;

    @BeforeAll
    static void start() throws Exception {
        engines = EmbeddedEngines.get();
        s3 = engines.s3Client;
        bucket = engines.bucketName("ArtifactsBucket");
        put("edgeshop", REL, "index.html", "text/html; charset=utf-8", "no-cache", INDEX.getBytes(StandardCharsets.UTF_8));
        put("edgeshop", REL, "assets/index-4f3a9c1b.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable",
                JS.getBytes(StandardCharsets.UTF_8));
        byte[] png = new byte[3000];
        for (int i = 0; i < png.length; i++) {
            png[i] = (byte) (i * 31);
        }
        put("edgeshop", REL, "assets/logo-1a2b3c4d.png", "image/png", "public, max-age=31536000, immutable", png);
        put("edgeshop", REL2, "index.html", "text/html; charset=utf-8", "no-cache", "<p>release two</p>".getBytes(StandardCharsets.UTF_8));
        routesFile = Files.createTempDirectory("slipway-edge-").resolve("edge/routes.json");
        edge = new LocalEdge(s3, bucket, routesFile, "127.0.0.1", 0, TOKEN);
        edge.start();
        Router router = new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN);
        router.point("edgeshop", REL);
        router.point("beta--edgeshop", REL2);
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    private static void put(String app, String release, String path, String type, String cache, byte[] body) {
        s3.putObject(b -> b.bucket(bucket).key("sites/" + app + "/" + release + "/" + path).contentType(type).cacheControl(cache),
                RequestBody.fromBytes(body));
    }

    @Test
    void productionHostServesIndexWithNoCache() throws IOException {
        EdgeClient.Reply r = get("edgeshop.localhost", "/");
        assertEquals(200, r.status());
        assertEquals(INDEX, r.text());
        assertEquals("no-cache", r.header("cache-control"));
        assertTrue(r.header("content-type").startsWith("text/html"));
        assertNotNull(r.header("etag"));
    }

    @Test
    void deepLinkServesIndex() throws IOException {
        EdgeClient.Reply r = get("edgeshop.localhost:" + edge.port(), "/products/42");
        assertEquals(200, r.status());
        assertEquals(INDEX, r.text());
    }

    @Test
    void hashedAssetIsImmutable() throws IOException {
        EdgeClient.Reply r = get("edgeshop.localhost", "/assets/index-4f3a9c1b.js");
        assertEquals(200, r.status());
        assertEquals("public, max-age=31536000, immutable", r.header("cache-control"));
        assertTrue(r.header("content-type").startsWith("text/javascript"));
        assertEquals(JS, r.text());
        EdgeClient.Reply png = get("edgeshop.localhost", "/assets/logo-1a2b3c4d.png", "accept-encoding", "gzip");
        assertEquals(200, png.status());
        assertEquals("image/png", png.header("content-type"));
        assertNull(png.header("content-encoding"), "binary is not gzipped");
        assertEquals(3000, png.body().length);
    }

    @Test
    void missingAssetIs404() throws IOException {
        EdgeClient.Reply r = get("edgeshop.localhost", "/assets/nope-00000000.js");
        assertEquals(404, r.status());
        assertEquals("no-store", r.header("cache-control"));
    }

    @Test
    void headHasHeadersButNoBody() throws IOException {
        EdgeClient.Reply r = request("HEAD", "edgeshop.localhost", "/assets/index-4f3a9c1b.js");
        assertEquals(200, r.status());
        assertEquals(0, r.body().length);
        assertEquals(Integer.toString(JS.length()), r.header("content-length"));
        assertEquals("public, max-age=31536000, immutable", r.header("cache-control"));
        assertNotNull(r.header("etag"));
    }

    @Test
    void etagGivesNotModified() throws IOException {
        String etag = get("edgeshop.localhost", "/assets/index-4f3a9c1b.js").header("etag");
        EdgeClient.Reply r = get("edgeshop.localhost", "/assets/index-4f3a9c1b.js", "if-none-match", etag);
        assertEquals(304, r.status());
        assertEquals(0, r.body().length);
        assertEquals(etag, r.header("etag"));
        assertEquals(200, get("edgeshop.localhost", "/assets/index-4f3a9c1b.js", "if-none-match", "\"other\"").status());
        assertEquals(304, get("edgeshop.localhost", "/deep/link", "if-none-match", "W/" + get("edgeshop.localhost", "/").header("etag")).status());
    }

    @Test
    void gzipForTextWhenAccepted() throws IOException {
        EdgeClient.Reply r = get("edgeshop.localhost", "/assets/index-4f3a9c1b.js", "accept-encoding", "br, gzip;q=0.8");
        assertEquals(200, r.status());
        assertEquals("gzip", r.header("content-encoding"));
        assertEquals("Accept-Encoding", r.header("vary"));
        assertTrue(r.body().length < JS.length());
        assertArrayEquals(JS.getBytes(StandardCharsets.UTF_8), new GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes());
        EdgeClient.Reply refused = get("edgeshop.localhost", "/assets/index-4f3a9c1b.js", "accept-encoding", "gzip;q=0");
        assertNull(refused.header("content-encoding"));
        assertEquals(JS, refused.text());
    }

    @Test
    void releaseAndPreviewHosts() throws IOException {
        assertEquals("<p>release two</p>", get(REL2 + "--edgeshop.localhost", "/").text());
        assertEquals(INDEX, get(REL + "--edgeshop.localhost", "/cart").text());
        assertEquals("<p>release two</p>", get("beta--edgeshop.localhost", "/").text());
        assertEquals(404, get("01jxc7m2q3r4s5t6v7w8x9yz0c--edgeshop.localhost", "/").status(), "a release with no files");
    }

    @Test
    void unknownOrMalformedHosts() throws IOException {
        assertEquals(404, get("nosuchapp.localhost", "/").status());
        assertEquals(404, get("gamma--edgeshop.localhost", "/").status());
        assertEquals(400, get("x.localhost", "/").status());
        assertEquals(400, get("a--b--edgeshop.localhost", "/").status());
        assertEquals(400, get("edgeshop.localhost", "/%2e%2e/%2e%2e/other/x.js").status());
        assertEquals(400, get("edgeshop.localhost", "/a/..%2f..%2fx.js").status());
        assertEquals(405, request("POST", "edgeshop.localhost", "/").status());
    }

    @Test
    void adminApiNeedsTheTokenAndALoopbackHost() throws IOException {
        assertEquals(401, admin("GET", "/_slipway/routes", null, null).status());
        assertEquals(401, admin("GET", "/_slipway/routes", "wrong-token-wrong-token", null).status());
        // only the exact token (the JDK server drops trailing bytes <= 0x20 of a header value before this check)
        for (String before : new String[]{"\u0001", "\u001f", "\u000b", " "}) {
            assertEquals(401, admin("GET", "/_slipway/routes", before + TOKEN, null).status(), "only the exact token");
        }
        EdgeClient.Reply list = admin("GET", "/_slipway/routes", TOKEN, null);
        assertEquals(200, list.status());
        assertTrue(list.text().contains("\"edgeshop\":\"" + REL + "\""), list.text());
        // via a site host the admin path is just a (missing) file of the site: no admin API there
        EdgeClient.Reply viaSite = raw("GET", "edgeshop.localhost", "/_slipway/routes", Map.of("authorization", "Bearer " + TOKEN), null);
        assertEquals(200, viaSite.status());
        assertEquals(INDEX, viaSite.text(), "extension-less: the SPA's index.html");
        assertEquals(400, admin("PUT", "/_slipway/routes/edgeshop", TOKEN, "{\"releaseId\":\"NOT-A-ULID\"}").status());
        assertEquals(400, admin("PUT", "/_slipway/routes/" + REL + "--edgeshop", TOKEN, "{\"releaseId\":\"" + REL + "\"}").status());
        assertEquals(404, admin("DELETE", "/_slipway/routes/never-there", TOKEN, null).status());
    }

    @Test
    void httpEdgeRouterAgainstLocalEdge() throws IOException {
        Router router = new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN);
        router.point("routed", REL);
        assertEquals(Optional.of(RouteEntry.of(REL)), router.lookup("routed"));
        assertEquals(Optional.empty(), router.lookup("unrouted"));
        router.remove("routed");
        router.remove("routed");
        assertEquals(Optional.empty(), router.lookup("routed"));
        assertThrows(IllegalArgumentException.class, () -> router.point("Bad_Label", REL));
        Router wrong = new HttpEdgeRouter(URI.create(edge.adminUrl()), "not-the-router-secret");
        assertThrows(IllegalStateException.class, () -> wrong.point("routed", REL));
    }

    @Test
    void routesSurviveARestart() throws Exception {
        new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN).point("persisted--edgeshop", REL2);
        assertTrue(Files.readString(routesFile.resolveSibling(routesFile.getFileName() + ".log")).contains("persisted--edgeshop"),
                "the change is journalled beside the routes file");
        try (LocalEdge again = new LocalEdge(s3, bucket, routesFile, "127.0.0.1", 0, TOKEN)) {
            again.start();
            assertEquals(RouteEntry.of(REL2), again.routes().get("persisted--edgeshop"));
            assertEquals(RouteEntry.of(REL), again.routes().get("edgeshop"));
            EdgeClient.Reply r = EdgeClient.raw("GET", "persisted--edgeshop.localhost", "/", Map.of(), null, again.port());
            assertEquals("<p>release two</p>", r.text());
        }
    }

    // ---- protected previews ----

    private static final String TOKEN_A = "pA3x0Zb7m2Kp9sT4wYc1nLr8dF6gHj5aQe2uBo0iXk_";
    private static final String TOKEN_B = "pB9q-Lr2Ws7nVc4xTz1mKd8fGh6jYa3eQu5oBi0pRs_";

    @Test
    void protectedPreviewAsksForItsToken() throws IOException {
        Router router = new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN);
        router.point("secret--edgeshop", REL2, RouteEntry.sha256Hex(TOKEN_A));
        assertEquals(Optional.of(new RouteEntry(REL2, RouteEntry.sha256Hex(TOKEN_A))), router.lookup("secret--edgeshop"));
        String host = "secret--edgeshop.localhost:" + edge.port();

        EdgeClient.Reply none = get(host, "/");
        assertEquals(401, none.status());
        assertEquals("no-store", none.header("cache-control"));
        assertNotNull(none.header("www-authenticate"));
        assertFalse(none.text().contains("release two"));
        assertEquals(401, request("HEAD", host, "/").status());
        assertEquals(401, get(host, "/", "x-slipway-preview-token", TOKEN_B).status(), "wrong header");
        assertEquals(401, get(host, "/", "cookie", "slipway_preview=" + TOKEN_B).status(), "wrong cookie");
        assertEquals(401, get(host, "/", "x-slipway-preview-token", RouteEntry.sha256Hex(TOKEN_A)).status(), "the hash is not the token");

        EdgeClient.Reply header = get(host, "/", "x-slipway-preview-token", TOKEN_A);
        assertEquals(200, header.status());
        assertEquals("<p>release two</p>", header.text());
    }

    @Test
    void queryTokenSetsTheCookieAndLeavesTheAddressBar() throws IOException {
        new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN).point("link--edgeshop", REL2, RouteEntry.sha256Hex(TOKEN_A));
        String host = "link--edgeshop.localhost:" + edge.port();

        EdgeClient.Reply redirect = get(host, "/cart?utm_source=mail&slipway_token=" + TOKEN_A + "&x=1%202");
        assertEquals(302, redirect.status());
        assertEquals("/cart?utm_source=mail&x=1%202", redirect.header("location"));
        String cookie = redirect.header("set-cookie");
        assertTrue(cookie.startsWith("slipway_preview=" + TOKEN_A + "; "), cookie);
        assertTrue(cookie.contains("Path=/") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
                && cookie.contains("Max-Age="), cookie);
        assertFalse(cookie.contains("Secure"), "the local edge is plain http: " + cookie);
        assertFalse(cookie.toLowerCase().contains("domain="), "per preview host: " + cookie);
        assertEquals("no-store", redirect.header("cache-control"));
        assertEquals("/", get(host, "/?slipway_token=" + TOKEN_A).header("location"));

        String value = cookie.substring(0, cookie.indexOf(';'));
        EdgeClient.Reply withCookie = get(host, "/cart", "cookie", "theme=dark; " + value);
        assertEquals(200, withCookie.status());
        assertEquals("<p>release two</p>", withCookie.text());

        assertEquals(401, get(host, "/?slipway_token=" + TOKEN_B).status(), "a wrong link");
        assertEquals(401, get(host, "/?slipway_token=").status());
    }

    @Test
    void rotatingTheTokenRevokesTheOldCookieAndPublicStaysOpen() throws IOException {
        Router router = new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN);
        router.point("rotate--edgeshop", REL2, RouteEntry.sha256Hex(TOKEN_A));
        String host = "rotate--edgeshop.localhost:" + edge.port();
        assertEquals(200, get(host, "/", "cookie", "slipway_preview=" + TOKEN_A).status());

        router.point("rotate--edgeshop", REL2, RouteEntry.sha256Hex(TOKEN_B));
        assertEquals(401, get(host, "/", "cookie", "slipway_preview=" + TOKEN_A).status(), "old cookie after rotation");
        assertEquals(401, get(host, "/?slipway_token=" + TOKEN_A).status(), "old link after rotation");
        assertEquals(200, get(host, "/", "cookie", "slipway_preview=" + TOKEN_B).status());

        router.point("rotate--edgeshop", REL2);
        assertEquals(200, get(host, "/").status(), "made public");
        assertEquals(Optional.of(RouteEntry.of(REL2)), router.lookup("rotate--edgeshop"));
        // Public entries and release hosts never ask for a token.
        assertEquals(200, get("edgeshop.localhost", "/").status());
        assertEquals(200, get(REL2 + "--edgeshop.localhost", "/").status());
    }

    @Test
    void adminApiRefusesABadTokenHash() throws IOException {
        String hash = RouteEntry.sha256Hex(TOKEN_A);
        assertEquals(400, admin("PUT", "/_slipway/routes/bad--edgeshop", TOKEN,
                "{\"releaseId\":\"" + REL + "\",\"tokenSha256\":\"" + hash.toUpperCase() + "\"}").status());
        assertEquals(400, admin("PUT", "/_slipway/routes/bad--edgeshop", TOKEN,
                "{\"releaseId\":\"" + REL + "\",\"tokenSha256\":42}").status());
        EdgeClient.Reply ok = admin("PUT", "/_slipway/routes/bad--edgeshop", TOKEN,
                "{\"releaseId\":\"" + REL + "\",\"tokenSha256\":\"" + hash + "\"}");
        assertEquals(200, ok.status());
        assertTrue(ok.text().contains(hash), ok.text());
    }

    @Test
    void tokensNeverReachTheLog() throws IOException {
        new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN).point("quiet--edgeshop", REL2, RouteEntry.sha256Hex(TOKEN_A));
        String host = "quiet--edgeshop.localhost:" + edge.port();
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            get(host, "/?slipway_token=" + TOKEN_A);
            get(host, "/?slipway_token=" + TOKEN_B);
            get(host, "/", "x-slipway-preview-token", TOKEN_A);
            get(host, "/", "cookie", "slipway_preview=" + TOKEN_B);
            get(host, "/%zz?slipway_token=" + TOKEN_A);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains(TOKEN_A) || log.contains(TOKEN_B), log);
    }

    @Test
    void protectedRoutesSurviveARestartAndOldFilesStillLoad() throws Exception {
        String hash = RouteEntry.sha256Hex(TOKEN_A);
        new HttpEdgeRouter(URI.create(edge.adminUrl()), TOKEN).point("kept--edgeshop", REL2, hash);
        // The change is a journal line beside the routes file (replayed on start).
        Path journal = routesFile.resolveSibling(routesFile.getFileName() + ".log");
        assertTrue(Files.readString(journal).contains("\"kept--edgeshop\":\"" + REL2 + ":" + hash + "\""));
        try (LocalEdge again = new LocalEdge(s3, bucket, routesFile, "127.0.0.1", 0, TOKEN)) {
            again.start();
            assertEquals(new RouteEntry(REL2, hash), again.routes().get("kept--edgeshop"));
            assertEquals(401, EdgeClient.get(again.port(), "kept--edgeshop.localhost", "/").status());
        }
        // A routes file from before tokens holds bare release ids.
        Path old = Files.createTempDirectory("slipway-edge-old-").resolve("edge-routes.json");
        Files.writeString(old, "{\"routes\":{\"edgeshop\":\"" + REL + "\",\"beta--edgeshop\":\"" + REL2 + "\"}}\n");
        try (LocalEdge legacy = new LocalEdge(s3, bucket, old, "127.0.0.1", 0, TOKEN)) {
            legacy.start();
            assertEquals(RouteEntry.of(REL), legacy.routes().get("edgeshop"));
            assertEquals("<p>release two</p>", EdgeClient.get(legacy.port(), "beta--edgeshop.localhost", "/").text());
        }
    }

    @Test
    void manyChangesAreJournalledAndCompactedAndAllSurviveARestart() throws Exception {
        Path file = Files.createTempDirectory("slipway-edge-journal-").resolve("edge-routes.json");
        Path journal = file.resolveSibling("edge-routes.json.log");
        try (LocalEdge e = new LocalEdge(s3, bucket, file, "127.0.0.1", 0, TOKEN)) {
            e.start();
            HttpEdgeRouter router = new HttpEdgeRouter(URI.create(e.adminUrl()), TOKEN);
            for (int i = 0; i < 1200; i++) {
                router.point("p" + i + "--edgeshop", i % 2 == 0 ? REL : REL2);
            }
            for (int i = 0; i < 1200; i += 3) {
                router.remove("p" + i + "--edgeshop");
            }
            assertTrue(Files.isRegularFile(file), "compacted once the journal passed 1,000 lines");
            assertTrue(Files.readAllLines(journal).size() < 1000, "the journal restarted after compaction");
            Files.writeString(journal, "{\"torn", java.nio.file.StandardOpenOption.APPEND); // a line cut by a kill
        }
        try (LocalEdge again = new LocalEdge(s3, bucket, file, "127.0.0.1", 0, TOKEN)) {
            Map<String, RouteEntry> routes = again.routes();
            assertEquals(800, routes.size());
            assertEquals(RouteEntry.of(REL2), routes.get("p1--edgeshop"));
            assertEquals(null, routes.get("p0--edgeshop"));
            assertEquals(null, routes.get("p1197--edgeshop"));
            assertEquals(RouteEntry.of(REL), routes.get("p1198--edgeshop"));
        }
    }

    // ---- a tiny HTTP/1.1 client: the Host header a browser sends, to 127.0.0.1 ----

    private static EdgeClient.Reply get(String host, String path, String... headers) throws IOException {
        return EdgeClient.get(edge.port(), host, path, headers);
    }

    private static EdgeClient.Reply request(String method, String host, String path) throws IOException {
        return raw(method, host, path, Map.of(), null);
    }

    private static EdgeClient.Reply admin(String method, String path, String token, String body) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        if (token != null) {
            h.put("authorization", "Bearer " + token);
        }
        return raw(method, "127.0.0.1:" + edge.port(), path, h, body);
    }

    private static EdgeClient.Reply raw(String method, String host, String path, Map<String, String> headers, String body) throws IOException {
        return EdgeClient.raw(method, host, path, headers, body, edge.port());
    }

}
