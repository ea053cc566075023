package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.deploy.ContentPolicy;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deploy story through `slipway up`: import a real Vite + React app, deploy it (the ASL file
 * run by the local Step Functions engine, a real npm build, release files in the embedded S3),
 * and read it back from the edge as a browser would. Then an unchanged redeploy (no build), a
 * changed one, and a broken build that fails with its log while production keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    private static final AdminApi api = slipway.api();
    private static final EdgeClient sites = slipway.edge();
    private static final String APP = "shop";
    private static String firstRelease;
    private static String firstIndex;

    @BeforeAll
    static void up() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Shop\"}").statusCode());
    }

    @Test
    @Order(1)
    void deployBuildsTheAppAndTheEdgeServesIt() throws Exception {
        // Given a Vite app on main; when it is deployed
        importApp(ViteApp.files("Welcome to the shop"));
        JsonNode d = deployAndWait();
        // then every step ran, once, and the release is production
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        firstRelease = d.path("releaseId").asText();
        assertEquals(26, firstRelease.length());
        assertFalse(d.path("reusedRelease").asBoolean());
        for (String step : new String[]{"ResolveRef", "FindReusableRelease", "ExportSource", "Build", "StageRelease", "VerifyRelease", "PromoteRelease"}) {
            JsonNode s = step(d, step);
            assertNotNull(s, step + " missing in " + d);
            assertTrue(s.hasNonNull("startedAt") && s.hasNonNull("endedAt"), step + ": " + s);
            assertFalse(s.path("outcome").asText().startsWith("failed"), step + ": " + s);
        }
        assertEquals(slipway.runtime().siteUrl(APP), d.path("url").asText());

        // GET /apps/{app} names the production release.
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        assertEquals(firstRelease, app.path("production").path("releaseId").asText(), app.toString());

        // The build log is kept, and has no environment value in it.
        HttpResponse<String> log = api.json("GET", "/apps/" + APP + "/deployments/" + d.path("deploymentId").asText() + "/logs", null);
        assertEquals(200, log.statusCode());
        assertTrue(log.body().contains("vite"), log.body());
        assertFalse(log.body().contains("Hello from the owner's own cloud"), "the log leaks an env value");

        // and the edge serves it as a browser reads it: index.html, never cached.
        EdgeClient.Reply index = edge("/");
        assertEquals(200, index.status());
        assertEquals(ContentPolicy.NO_CACHE, index.header("cache-control"));
        assertTrue(index.header("content-type").startsWith("text/html"));
        assertTrue(index.text().contains("<div id=\"root\">"), index.text());
        firstIndex = index.text();

        // A deep link is the SPA's: the same index.html.
        EdgeClient.Reply deep = edge("/products/42");
        assertEquals(200, deep.status());
        assertEquals(firstIndex, deep.text());

        // The hashed bundle: immutable, with the app's text and its env variable baked in at build time.
        String js = asset(firstIndex, "js");
        EdgeClient.Reply bundle = edge(js);
        assertEquals(200, bundle.status());
        assertEquals(ContentPolicy.IMMUTABLE, bundle.header("cache-control"));
        assertTrue(bundle.header("content-type").startsWith("text/javascript"));
        assertTrue(bundle.text().contains("Welcome to the shop"));
        assertTrue(bundle.text().contains("Hello from the owner's own cloud"));
        // Revalidation, compression, HEAD, a missing asset.
        assertEquals(304, sites.site(APP, js, "If-None-Match", bundle.header("etag")).status());
        EdgeClient.Reply gz = sites.site(APP, js, "Accept-Encoding", "gzip");
        assertEquals("gzip", gz.header("content-encoding"));
        assertEquals(bundle.text(), new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8));
        EdgeClient.Reply head = sites.request("HEAD", APP, js, Map.of(), null);
        assertEquals(200, head.status());
        assertEquals(0, head.body().length);
        assertEquals(404, edge("/assets/missing-12345678.js").status());
        assertEquals("User-agent: *\nAllow: /\n", edge("/robots.txt").text());
        // The release's own URL serves the same bytes.
        assertEquals(firstIndex, sites.site(firstRelease + "--" + APP, "/").text());
    }

    @Test
    @Order(2)
    void redeployOfAnUnchangedTreeReusesTheRelease() throws Exception {
        // Given production built from main; when main is deployed again unchanged
        JsonNode d = deployAndWait();
        // then the release is reused: no build, no build log
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertTrue(d.path("reusedRelease").asBoolean(), d.toString());
        assertEquals(firstRelease, d.path("releaseId").asText());
        assertEquals(null, step(d, "Build"), "no build step when the release is reused: " + d);
        HttpResponse<String> log = api.json("GET", "/apps/" + APP + "/deployments/" + d.path("deploymentId").asText() + "/logs", null);
        assertEquals(404, log.statusCode());
        assertEquals("application/problem+json", log.headers().firstValue("content-type").orElse(""));
    }

    @Test
    @Order(3)
    void aChangeIsBuiltAndServed() throws Exception {
        importApp(ViteApp.files("Spring sale"));
        JsonNode d = deployAndWait();
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertNotEquals(firstRelease, d.path("releaseId").asText());
        String index = edge("/").text();
        assertNotEquals(firstIndex, index);
        assertTrue(edge(asset(index, "js")).text().contains("Spring sale"));
        // The first release is still reachable at its own URL, unchanged.
        assertEquals(firstIndex, sites.site(firstRelease + "--" + APP, "/").text());
    }

    @Test
    @Order(4)
    void aBrokenBuildFailsWithItsLogAndProductionKeepsServing() throws Exception {
        // Given production serving, and a commit whose build breaks
        String before = edge("/").text();
        Map<String, String> files = ViteApp.files("Broken");
        files.put("src/main.jsx", files.get("src/main.jsx").replace("<main>", "<main>{{{"));
        importApp(files);
        // when it is deployed, then the deployment fails at the build, with its log
        JsonNode d = deployAndWait();
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertTrue(d.path("failure").asText().contains("exited with status"), d.toString());
        JsonNode build = step(d, "Build");
        assertTrue(build.path("outcome").asText().startsWith("failed"), build.toString());
        HttpResponse<String> log = api.json("GET", "/apps/" + APP + "/deployments/" + d.path("deploymentId").asText() + "/logs", null);
        assertEquals(200, log.statusCode());
        assertTrue(log.body().toLowerCase().contains("error"), log.body());
        // Production is untouched and nothing of the failed release is left in S3.
        assertEquals(before, edge("/").text());
        String failedRelease = d.path("releaseId").asText();
        assertFalse(failedRelease.isEmpty());
        S3Client s3 = slipway.s3();
        assertEquals(0, s3.listObjectsV2(r -> r.bucket("slipway-artifactsbucket").prefix("sites/" + APP + "/" + failedRelease + "/")).keyCount());
        assertEquals(0, s3.listObjectsV2(r -> r.bucket("slipway-artifactsbucket").prefix("builds/" + APP + "/" + d.path("deploymentId").asText() + "/output")).keyCount());
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        assertNotEquals(failedRelease, app.path("production").path("releaseId").asText());
    }

    @Test
    @Order(5)
    void badDeployRequestsAreProblems() throws Exception {
        assertProblem(api.json("POST", "/apps/" + APP + "/deployments", "{\"ref\":\"no-such-branch\"}"), 422, "ref-not-found");
        assertProblem(api.json("POST", "/apps/" + APP + "/deployments", "{\"target\":\"staging\"}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/deployments", "{\"bogus\":1}"), 400, "unknown-field");
        assertProblem(api.json("POST", "/apps/nope/deployments", "{}"), 404, "app-not-found");
        assertProblem(api.json("GET", "/apps/" + APP + "/deployments/not-an-id", null), 404, "deployment-not-found");
        api.json("POST", "/apps", "{\"id\":\"empty\",\"name\":\"Empty\"}");
        assertProblem(api.json("POST", "/apps/empty/deployments", "{}"), 409, "nothing-to-deploy");
        JsonNode list = Json.parse(api.json("GET", "/apps/" + APP + "/deployments?limit=2", null).body());
        assertEquals(2, list.path("deployments").size());
        assertTrue(list.hasNonNull("nextCursor"));
        JsonNode rest = Json.parse(api.json("GET", "/apps/" + APP + "/deployments?limit=100&cursor=" + list.path("nextCursor").asText(), null).body());
        assertEquals(2, rest.path("deployments").size(), "4 deployments so far: 2 per page " + rest);
        assertFalse(rest.has("nextCursor"));
    }

    /** The build log is followed while the build runs (LocalBuildStep ships it every second), not only at its end. */
    @Test
    @Order(6)
    void theBuildLogCanBeFollowedWhileTheBuildRuns() throws Exception {
        String app = "live-log";
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Live log\"}").statusCode());
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("package.json", "{\"name\":\"live-log\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}");
        files.put("package-lock.json", "{\"name\":\"live-log\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,"
                + "\"packages\":{\"\":{\"name\":\"live-log\",\"version\":\"1.0.0\"}}}");
        files.put("build.js", "console.log('halfway through the build');\n"
                + "setTimeout(() => { require('fs').mkdirSync('dist', {recursive: true});"
                + " require('fs').writeFileSync('dist/index.html', '<h1>live</h1>'); }, 4000);\n");
        HttpResponse<String> imported = api.send("POST", "/apps/" + app + "/imports", Exports.zip("live-main/", files), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        HttpResponse<String> started = api.json("POST", "/apps/" + app + "/deployments", "{}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).path("deploymentId").asText();
        String seenWhileRunning = null;
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            String status = Json.parse(api.json("GET", "/apps/" + app + "/deployments/" + id, null).body()).path("status").asText();
            if (!status.equals("RUNNING")) {
                break;
            }
            HttpResponse<String> log = api.json("GET", "/apps/" + app + "/deployments/" + id + "/logs", null);
            // the build's first line, before the runner's last one: the build itself is still running
            if (log.statusCode() == 200 && log.body().contains("halfway through the build") && !log.body().contains("build succeeded")) {
                seenWhileRunning = log.body();
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(seenWhileRunning != null, "the log's first lines were not readable while the build ran");
        assertEquals("SUCCEEDED", api.awaitDeployment(app, id).path("status").asText());
        String whole = api.json("GET", "/apps/" + app + "/deployments/" + id + "/logs", null).body();
        assertTrue(whole.startsWith(seenWhileRunning.substring(0, Math.min(200, seenWhileRunning.length()))), "the final log continues the live one");
        assertTrue(whole.contains("build succeeded"), whole);
    }

    // ---- helpers

    private static void importApp(Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + APP + "/imports", Exports.zip("shop-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    private static JsonNode deployAndWait() throws Exception {
        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/deployments", "{}");
        assertEquals(202, started.statusCode(), started.body());
        JsonNode d = api.awaitDeployment(APP, Json.parse(started.body()).path("deploymentId").asText());
        sites.awaitPromoted(d);
        return d;
    }

    private static JsonNode step(JsonNode deployment, String name) {
        for (JsonNode s : deployment.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static String asset(String index, String ext) {
        Matcher m = Pattern.compile("(/assets/[A-Za-z0-9_.-]+\\." + ext + ")").matcher(index);
        assertTrue(m.find(), "no ." + ext + " asset in " + index);
        return m.group(1);
    }

    /** GET a path of the app's production site. */
    private static EdgeClient.Reply edge(String path) throws Exception {
        return sites.site(APP, path);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }

}
