package dev.slipway.local.fullstack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full-stack apps through `slipway up`, with no settings: a Next.js App Router app and an Express + Vite app
 * are imported from zips, built (the real runner, in its sandbox), staged with their server bundles, checked
 * by their servers' home pages, and served by the edge: files from the release, the rest by a Node process
 * per release and scope with that scope's runtime variables. Rollback brings the old server back; a preview
 * runs beside production with its own values; a crash answers 502 and the next request starts it again; a
 * Python backend fails naming what is missing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FullStackEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    private static final AdminApi api = slipway.api();
    private static final EdgeClient sites = slipway.edge();
    private static final String NEXT = "nextshop";
    private static final String EXPRESS = "expressshop";
    private static final String GREETING = "greetings from the owners own server";
    private static final String PROD_ONLY = "production greeting value";
    private static final String PREVIEW_ONLY = "preview note value";
    private static String nextV1;

    @BeforeAll
    static void apps() throws Exception {
        for (String app : new String[]{NEXT, EXPRESS, "pyshop"}) {
            assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}").statusCode());
        }
    }

    @Test
    @Order(1)
    void aNextAppDeploysWithNoSettingsAndTheEdgeServesItsServerAndItsFiles() throws Exception {
        setVariable(NEXT, "FIXTURE_GREETING", GREETING, "production", "preview");
        setVariable(NEXT, "NEXT_PUBLIC_FIXTURE_LABEL", "public label", "production", "preview");
        JsonNode imported = importApp(NEXT, FullStackFixtures.files(FullStackFixtures.NEXT));
        assertEquals("nextjs", imported.path("framework").asText(), imported.toString());
        assertTrue(imported.path("findings").toString().contains("framework-server"), imported.toString());
        assertFalse(imported.path("findings").toString().contains("\"critical\""), imported.toString());

        JsonNode d = deployAndWait(NEXT);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        nextV1 = d.path("releaseId").asText();
        JsonNode release = Json.parse(api.json("GET", "/apps/" + NEXT + "/releases/" + nextV1, null).body());
        assertEquals("next", release.path("server").path("framework").asText(), release.toString());
        assertEquals("server.js", release.path("server").path("entry").asText());
        assertTrue(release.path("server").path("unzippedBytes").asLong() > release.path("server").path("zipBytes").asLong());
        assertTrue(slipway.s3().headObject(b -> b.bucket(slipway.bucket()).key(ServerBundle.key(NEXT, nextV1))).contentLength() > 0);

        // The home page is rendered by the server, per request, with the runtime variable of production's scope.
        awaitText(NEXT, "/", GREETING);
        EdgeClient.Reply home = sites.site(NEXT, "/");
        assertEquals(200, home.status(), home.text());
        assertTrue(home.text().contains("server says:") && home.text().contains(GREETING), home.text());
        assertEquals("seen", home.header("x-fixture-middleware"), "middleware ran");
        assertEquals("Next.js", home.header("x-powered-by"));
        // A route handler answers JSON; the middleware's request header reached it.
        EdgeClient.Reply api1 = sites.site(NEXT, "/api/hello");
        assertEquals(200, api1.status(), api1.text());
        JsonNode hello = Json.parse(api1.text());
        assertEquals(GREETING, hello.path("greeting").asText());
        assertEquals("seen", hello.path("middleware").asText());
        // A prerendered page (the server answers it from its bundle) and the release's own files (the edge).
        assertTrue(sites.site(NEXT, "/about").text().contains("a static page"));
        EdgeClient.Reply robots = sites.site(NEXT, "/robots.txt");
        assertEquals("fixture static file\n", robots.text());
        assertNull(robots.header("x-powered-by"), "served from the release's files");
        Matcher chunk = Pattern.compile("(/_next/static/[A-Za-z0-9_./-]+\\.js)").matcher(home.text());
        assertTrue(chunk.find(), home.text());
        EdgeClient.Reply js = sites.site(NEXT, chunk.group(1));
        assertEquals(200, js.status());
        assertNull(js.header("x-powered-by"), "_next/static comes from the release's files");
        // The server-side value is in no file of the release.
        for (S3Object o : slipway.s3().listObjectsV2(b -> b.bucket(slipway.bucket()).prefix("sites/" + NEXT + "/" + nextV1 + "/")).contents()) {
            String text = slipway.s3().getObjectAsBytes(b -> b.bucket(slipway.bucket()).key(o.key())).asString(StandardCharsets.UTF_8);
            assertFalse(text.contains(GREETING), o.key() + " holds the server-side value");
        }
        // Bodies: a small POST reaches the route handler, one over Lambda's 6 MB is a 413 problem.
        EdgeClient.Reply post = sites.request("POST", NEXT, "/api/hello", Map.of("content-type", "text/plain"), "x".repeat(1000));
        assertEquals(1000, Json.parse(post.text()).path("received").asInt(), post.text());
        EdgeClient.Reply big = sites.request("POST", NEXT, "/api/hello", Map.of("content-type", "text/plain"), "x".repeat(6 * 1024 * 1024 + 1));
        assertEquals(413, big.status());
        assertEquals("urn:slipway:problem:payload-too-large", Json.parse(big.text()).path("type").asText());

        // The server's runtime log: what it printed, with the app's values redacted.
        HttpResponse<String> logs = api.json("GET", "/apps/" + NEXT + "/releases/" + nextV1 + "/logs?limit=200", null);
        assertEquals(200, logs.statusCode(), logs.body());
        assertTrue(logs.body().contains("starting next server"), logs.body());
        assertTrue(logs.body().contains("rendering the home page with [redacted:"), logs.body());
        assertFalse(logs.body().contains(GREETING), "the log shows a value");
        assertEquals(400, api.json("GET", "/apps/" + NEXT + "/releases/" + nextV1 + "/logs?since=yesterday", null).statusCode());
    }

    @Test
    @Order(2)
    void anExpressAppDeploysWithNoSettingsAndItsServerGetsProductionsValues() throws Exception {
        setVariable(EXPRESS, "FIXTURE_GREETING", PROD_ONLY, "production");
        setVariable(EXPRESS, "FIXTURE_NOTE", PREVIEW_ONLY, "preview");
        setVariable(EXPRESS, "VITE_FIXTURE_LABEL", "built into the client", "production", "preview");
        importApp(EXPRESS, FullStackFixtures.files(FullStackFixtures.EXPRESS));
        JsonNode d = deployAndWait(EXPRESS);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());

        awaitText(EXPRESS, "/api/greeting", PROD_ONLY);
        JsonNode prod = Json.parse(sites.site(EXPRESS, "/api/greeting").text());
        assertEquals(PROD_ONLY, prod.path("greeting").asText(), prod.toString());
        assertTrue(prod.path("note").isNull(), "a preview-only value never reaches production: " + prod);
        assertTrue(prod.path("label").isNull(), "public variables are built in, not runtime: " + prod);
        assertEquals("production", prod.path("env").asText());
        assertTrue(sites.site(EXPRESS, "/ssr").text().contains("server says: " + PROD_ONLY));
        EdgeClient.Reply index = sites.site(EXPRESS, "/");
        assertTrue(index.text().contains("<div id=\"app\">"), index.text());
        assertNull(index.header("x-powered-by"), "the client's index.html comes from the release's files");
        assertEquals("Express", sites.site(EXPRESS, "/some/client/route").header("x-powered-by"), "unknown paths go to the server");

        // The bundle: the server with its production dependencies, no build tools; the client holds no server code.
        String release = d.path("releaseId").asText();
        java.nio.file.Path unpacked = java.nio.file.Files.createTempDirectory("bundle-");
        try (var in = slipway.s3().getObject(b -> b.bucket(slipway.bucket()).key(ServerBundle.key(EXPRESS, release)))) {
            dev.slipway.shared.deploy.server.ServerOutput.unzip(in, unpacked);
        }
        assertTrue(java.nio.file.Files.isRegularFile(unpacked.resolve("server/index.js")));
        assertTrue(java.nio.file.Files.isRegularFile(unpacked.resolve("node_modules/express/package.json")));
        assertFalse(java.nio.file.Files.exists(unpacked.resolve("node_modules/vite")), "no build tools in the bundle");
        assertFalse(sites.site(EXPRESS, "/server/index.js").text().contains("import express"), "the server's code is no site file");
    }

    @Test
    @Order(3)
    void rollbackBringsBackTheOldServersOutputAtOnce() throws Exception {
        String v1 = Json.parse(api.json("GET", "/apps/" + EXPRESS, null).body()).path("production").path("releaseId").asText();
        Map<String, String> v2 = FullStackFixtures.files(FullStackFixtures.EXPRESS);
        v2.put("server/index.js", v2.get("server/index.js").replace("server says: ", "server v2 says: "));
        importApp(EXPRESS, v2);
        JsonNode d = deployAndWait(EXPRESS);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertNotEquals(v1, d.path("releaseId").asText());
        awaitText(EXPRESS, "/ssr", "server v2 says: " + PROD_ONLY); // the router moves right after the deployment's SUCCEEDED

        long start = System.nanoTime();
        HttpResponse<String> rollback = api.json("POST", "/apps/" + EXPRESS + "/rollback", "{}");
        assertEquals(200, rollback.statusCode(), rollback.body());
        assertEquals(v1, Json.parse(rollback.body()).path("current").asText(), rollback.body());
        EdgeClient.Reply ssr = sites.site(EXPRESS, "/ssr");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, ssr.status());
        assertTrue(ssr.text().contains("server says: " + PROD_ONLY), "the old server answers as soon as the rollback does: " + ssr.text());
        System.out.println("full-stack rollback, API call to the old server's answer at the edge: " + ms + " ms");
    }

    @Test
    @Order(4)
    void aPreviewRunsBesideProductionWithItsOwnValues() throws Exception {
        HttpResponse<String> created = api.json("POST", "/apps/" + EXPRESS + "/previews", "{\"ref\":\"main\",\"name\":\"feature\"}");
        assertEquals(202, created.statusCode(), created.body());
        JsonNode pd = api.awaitDeployment(EXPRESS, Json.parse(created.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", pd.path("status").asText(), pd.toString());
        awaitText("feature--" + EXPRESS, "/api/greeting", PREVIEW_ONLY);
        JsonNode preview = Json.parse(sites.site("feature--" + EXPRESS, "/api/greeting").text());
        assertEquals(PREVIEW_ONLY, preview.path("note").asText(), preview.toString());
        assertTrue(preview.path("greeting").isNull(), "a production-only value never reaches a preview: " + preview);
        // side by side: production still answers with its own
        assertEquals(PROD_ONLY, Json.parse(sites.site(EXPRESS, "/api/greeting").text()).path("greeting").asText());
    }

    @Test
    @Order(5)
    void aCrashedServerAnswers502AndTheNextRequestStartsItAgain() throws Exception {
        EdgeClient.Reply crash = sites.site(EXPRESS, "/crash");
        assertEquals(502, crash.status(), crash.text());
        assertEquals("urn:slipway:problem:app-server-unavailable", Json.parse(crash.text()).path("type").asText());
        EdgeClient.Reply again = sites.site(EXPRESS, "/api/greeting");
        assertEquals(200, again.status(), again.text());
        assertEquals(PROD_ONLY, Json.parse(again.text()).path("greeting").asText());
    }

    @Test
    @Order(6)
    void aPythonBackendIsAFindingAndItsDeployFailsNamingIt() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("backend/requirements.txt", "fastapi==0.115.0\nuvicorn\n");
        files.put("backend/server.py", "from fastapi import FastAPI\napp = FastAPI()\n");
        files.put("index.html", "<!doctype html><p>front end</p>\n");
        JsonNode imported = importApp("pyshop", files);
        assertTrue(imported.path("findings").toString().contains("python-backend-unsupported"), imported.toString());
        JsonNode d = deployAndWait("pyshop");
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertTrue(d.path("failure").asText().contains("Python backend (fastapi, backend/requirements.txt)"), d.toString());
    }

    // ---- helpers

    /** Waits (10 s at most) until the host's path answers with {@code text}: the edge's route follows SUCCEEDED closely. */
    private static void awaitText(String host, String path, String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            last = sites.site(host, path).text();
            if (last.contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(host + path + " does not answer with \"" + text + "\": " + last);
    }

    private static void setVariable(String app, String name, String value, String... scopes) throws Exception {
        String body = "{\"set\":{\"" + name + "\":{\"value\":\"" + value + "\",\"scopes\":" + Json.write(Json.MAPPER.valueToTree(scopes)) + "}}}";
        HttpResponse<String> r = api.json("PATCH", "/apps/" + app + "/environment", body);
        assertEquals(200, r.statusCode(), r.body());
    }

    private static JsonNode importApp(String app, Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + app + "/imports", Exports.zip(app + "-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
        return Json.parse(r.body());
    }

    private static JsonNode deployAndWait(String app) throws Exception {
        HttpResponse<String> started = api.json("POST", "/apps/" + app + "/deployments", "{}");
        assertEquals(202, started.statusCode(), started.body());
        return api.awaitDeployment(app, Json.parse(started.body()).path("deploymentId").asText());
    }
}
