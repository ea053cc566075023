package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports as builders hand them over, deployed through `slipway up` with no edits by the owner: one whose
 * package-lock.json pins every package to a builder's private npm cache (a path-prefixed host that does not
 * resolve: a reserved .invalid name), as Lovable exports do — the import reports it, the deploy builds anyway
 * from the public registry with the lockfile's integrity hashes, and the build log says so; and a plain static
 * site (an index.html, no package.json).
 */
class ExportsOutsideTheBuilderTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static final String PRIVATE_CACHE = "https://npm-cache.builder.invalid/project-x/sandbox-npm-cache/";

    @Test
    void aLockfilePinnedToABuildersPrivateCacheDeploysFromTheRegistry() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"pinned\",\"name\":\"Pinned\"}").statusCode());
        Map<String, String> files = new LinkedHashMap<>(ViteApp.files("Built from the public registry"));
        String lock = files.get("package-lock.json").replace("https://registry.npmjs.org/", PRIVATE_CACHE);
        int pinned = count(lock, PRIVATE_CACHE);
        assertTrue(pinned > 10, "the fixture's packages all point at the private cache: " + pinned);
        files.put("package-lock.json", lock);

        HttpResponse<String> imported = api.send("POST", "/apps/pinned/imports", Exports.zip("", files), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        JsonNode finding = null;
        for (JsonNode f : Json.parse(imported.body()).path("findings")) {
            if (f.path("rule").asText().equals("lockfile-foreign-registry")) {
                finding = f;
            }
        }
        assertTrue(finding != null, imported.body());
        assertTrue(finding.path("message").asText().contains("(npm-cache.builder.invalid: " + pinned + ")"), finding.toString());

        String id = Json.parse(api.json("POST", "/apps/pinned/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("pinned", id);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        String log = api.json("GET", "/apps/pinned/deployments/" + id + "/logs", null).body();
        assertTrue(log.contains("==> package-lock.json: " + pinned + " URLs of npm-cache.builder.invalid now point at"
                + " https://registry.npmjs.org/ (integrity hashes unchanged)"), log);
        assertTrue(log.contains("network: reached registry.npmjs.org:443"), log);
        slipway.edge().awaitPromoted(d);
        assertTrue(slipway.edge().site("pinned", "/").text().contains("<div id=\"root\">"));

        // the owner's choice: the lockfile the build installed from becomes the branch's (and the finding goes)
        JsonNode offered = Json.parse(api.json("GET", "/apps/pinned/deployments/" + id + "/lockfile", null).body());
        assertEquals("mapped", offered.path("files").get(0).path("change").asText(), offered.toString());
        HttpResponse<String> committed = api.json("POST", "/apps/pinned/deployments/" + id + "/lockfile-commit", null);
        assertEquals(201, committed.statusCode(), committed.body());
        assertEquals("[\"package-lock.json\"]", Json.parse(committed.body()).path("files").toString());
        HttpResponse<byte[]> archive = java.net.http.HttpClient.newHttpClient().send(
                api.request("GET", "/apps/pinned/archive/main.zip", null, null).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, archive.statusCode());
        String committedLock = null;
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(archive.body()))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().endsWith("package-lock.json")) {
                    committedLock = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        assertTrue(committedLock != null && !committedLock.contains(PRIVATE_CACHE), "the committed lockfile is mapped");
        assertEquals(pinned, count(committedLock, "https://registry.npmjs.org/"));
        assertEquals(lock.replace(PRIVATE_CACHE, "https://registry.npmjs.org/"), committedLock, "only the URLs changed");
    }

    /**
     * The app's own registry (build setting {@code registry}): its lockfile's private-cache URLs point there and the
     * sandboxed build installs from it (registry.yarnpkg.com, a second public registry reachable here, stands in
     * for a company registry). A registry URL with credentials is refused and changes nothing.
     */
    @Test
    void anAppsOwnRegistryIsWhereItsBuildInstallsFrom() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"own-registry\",\"name\":\"Own registry\"}").statusCode());
        HttpResponse<String> refused = api.json("PATCH", "/apps/own-registry",
                "{\"build\":{\"registry\":\"https://user:secret@registry.example/\"}}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("registry"), refused.body());
        HttpResponse<String> set = api.json("PATCH", "/apps/own-registry", "{\"build\":{\"registry\":\"https://registry.yarnpkg.com/\"}}");
        assertEquals(200, set.statusCode(), set.body());

        Map<String, String> files = new LinkedHashMap<>(PackageManagerExportsTest.files("node-pinned"));
        files.put("package-lock.json", files.get("package-lock.json").replace("\"integrity\"",
                "\"resolved\": \"" + PRIVATE_CACHE + "escape-html/-/escape-html-1.0.3.tgz\",\n      \"integrity\""));
        HttpResponse<String> imported = api.send("POST", "/apps/own-registry/imports", Exports.zip("", files), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        assertEquals("https://registry.yarnpkg.com/", Json.parse(api.json("GET", "/apps/own-registry", null).body())
                .path("build").path("registry").asText());

        String id = Json.parse(api.json("POST", "/apps/own-registry/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("own-registry", id);
        String log = api.json("GET", "/apps/own-registry/deployments/" + id + "/logs", null).body();
        assertEquals("SUCCEEDED", d.path("status").asText(), d + "\n" + log);
        assertTrue(log.contains("==> package-lock.json: 1 URL of npm-cache.builder.invalid now point at"
                + " https://registry.yarnpkg.com/ (integrity hashes unchanged)"), log);
        assertTrue(log.contains("network: reached registry.yarnpkg.com:443"), log);
        assertTrue(!log.contains("registry.npmjs.org:443"), "only the app's registry was reached: " + log);
    }

    @Test
    void aPlainStaticSiteDeploysAsItIs() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"plain\",\"name\":\"Plain\"}").statusCode());
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "<!doctype html><title>Plain</title><h1>A static export</h1>\n");
        files.put("about/index.html", "<!doctype html><p>about</p>\n");
        files.put("css/site.css", "h1 { color: teal; }\n");
        HttpResponse<String> imported = api.send("POST", "/apps/plain/imports", Exports.zip("", files), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        assertEquals("static", Json.parse(imported.body()).path("framework").asText(), imported.body());
        String id = Json.parse(api.json("POST", "/apps/plain/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("plain", id);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        slipway.edge().awaitPromoted(d);
        assertTrue(slipway.edge().site("plain", "/").text().contains("A static export"));
        assertEquals("h1 { color: teal; }\n", slipway.edge().site("plain", "/css/site.css").text());
        assertEquals("<!doctype html><p>about</p>\n", slipway.edge().site("plain", "/about/index.html").text());
    }

    @Test
    void aMissingImportFailsNamingTheFileAndThePath() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"broken\",\"name\":\"Broken\"}").statusCode());
        Map<String, String> files = new LinkedHashMap<>(ViteApp.files("Never built"));
        files.put("src/main.jsx", "import Missing from './components/Missing';\n" + files.get("src/main.jsx"));
        HttpResponse<String> imported = api.send("POST", "/apps/broken/imports", Exports.zip("", files), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        String id = Json.parse(api.json("POST", "/apps/broken/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("broken", id);
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        String failure = d.path("failure").asText();
        assertTrue(failure.startsWith("missing file: src/main.jsx imports ./components/Missing, which is not in the app\n"),
                failure);
        assertTrue(failure.contains("last log lines:"), failure);
        assertTrue(!failure.contains("\u001B["), "no terminal colours in the failure: " + failure);
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
