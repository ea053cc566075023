package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A build is attacker code (issue 13): through `slipway up`, app A's preview build runs a script that takes
 * the presigned URLs it was given (in CodeBuild a build can always read them) and rewrites their keys to reach
 * another app's build log and site, its own app's production deployment, production's dependency cache and
 * another file of its own deployment, by GET and by PUT. Locally the sandbox keeps the build from reaching the
 * bucket at all; the same probes are then sent with the build's URLs from outside (as a CodeBuild build could):
 * every rewritten URL is refused with 403 (the signature covers the key), its own URLs answer, and the
 * environment it got lacks production's value. What the build saw is what the edge then serves from the
 * preview: the assertions read it there.
 */
class BuildIsolationTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static final String PROD_ONLY = "prod-only-value-b7c1e9";
    static final String PREVIEW_ONLY = "preview-only-value-4d2a";

    @Test
    void aPreviewBuildReachesOnlyItsOwnObjectsAndItsScopesValues() throws Exception {
        create("iso-b");
        JsonNode b = deploy("iso-b", probeApp("{}"), "production");
        String bDeployment = b.path("deploymentId").asText();
        String bRelease = b.path("releaseId").asText();
        String bSite = slipway.edge().site("iso-b", "/index.html").text();
        assertTrue(bSite.contains("probe"), bSite);

        create("iso-a");
        ok("PATCH", "/apps/iso-a/environment", "{\"set\":{"
                + "\"STRIPE_SECRET_KEY\":{\"value\":\"" + PROD_ONLY + "\",\"scopes\":[\"production\"]},"
                + "\"STRIPE_TEST_KEY\":{\"value\":\"" + PREVIEW_ONLY + "\",\"scopes\":[\"preview\"]}}}");
        JsonNode aProduction = deploy("iso-a", probeApp("{}"), "production");
        JsonNode productionSaw = Json.parse(slipway.edge().site("iso-a", "/probe.json").text());
        assertEquals(PROD_ONLY, productionSaw.path("env").path("STRIPE_SECRET_KEY").asText(), "production's own build gets its value");

        // Each probe: take the build's own URL (from), rewrite its key (to), send it (method).
        Map<String, Map<String, String>> probes = new LinkedHashMap<>();
        probes.put("otherAppsBuildLog", probe("SLIPWAY_SOURCE_URL", "GET", SiteKeys.log("iso-b", bDeployment)));
        probes.put("otherAppsSite", probe("SLIPWAY_ENV_URL", "GET", SiteKeys.releasePrefix("iso-b", bRelease) + "index.html"));
        probes.put("otherAppsSiteOverwritten", probe("SLIPWAY_OUTPUT_URL", "PUT", SiteKeys.releasePrefix("iso-b", bRelease) + "index.html"));
        probes.put("ownProductionDeploymentsLog", probe("SLIPWAY_SOURCE_URL", "GET", SiteKeys.log("iso-a", aProduction.path("deploymentId").asText())));
        probes.put("productionsCache", probe("SLIPWAY_CACHE_GET_URL", "GET", "{key:/preview/=/production/}"));
        probes.put("productionsCachePoisoned", probe("SLIPWAY_CACHE_PUT_URL", "PUT", "{key:/preview/=/production/}"));
        probes.put("ownSourceThroughTheEnvUrl", probe("SLIPWAY_ENV_URL", "GET", "{key:env.json=source.zip}"));
        probes.put("ownLogReadThroughItsPutUrl", probe("SLIPWAY_LOG_URL", "GET", "{same}"));
        probes.put("adminTokenHash", probe("SLIPWAY_SOURCE_URL", "GET", "admin-token-sha256"));
        JsonNode preview = previewOf("iso-a", probeApp(Json.write(probes)), "feature-x");
        assertEquals("SUCCEEDED", preview.path("status").asText(), preview.toString());

        JsonNode saw = Json.parse(slipway.edge().site("feature-x--iso-a", "/probe.json").text());
        // Inside the local sandbox the bucket (a loopback port) is out of reach altogether: every request fails.
        saw.path("statuses").fields().forEachRemaining(e ->
                assertTrue(e.getValue().asText().startsWith("error"), e.getKey() + " reached S3 from the sandbox: " + saw));
        // In CodeBuild a build can reach S3, so the URLs it was given must not open anything else: the same probes,
        // sent with the very URLs the build got, from outside the sandbox.
        JsonNode statuses = probeFromOutside(saw.path("urls"), Json.write(probes));
        // its own URLs are valid (404, not 403): source.zip and env.json are gone once the deployment ended, and
        // nothing was stored under its cache key
        for (String own : List.of("ownSource", "ownEnvironment", "ownCache")) {
            assertEquals(404, statuses.path(own).asInt(), own + ": " + statuses);
        }
        for (String name : probes.keySet()) {
            assertEquals(403, statuses.path(name).asInt(), name + " was not refused: " + statuses);
        }
        assertEquals(bSite, slipway.edge().site("iso-b", "/index.html").text(), "another app's site was changed");

        JsonNode env = saw.path("env");
        assertTrue(env.path("STRIPE_SECRET_KEY").isNull(), "a production-only variable reached a preview build: " + env);
        assertEquals(PREVIEW_ONLY, env.path("STRIPE_TEST_KEY").asText(), env.toString());
        assertFalse(saw.path("sawProductionValue").asBoolean(), "the production value was somewhere in the build's environment");
        assertFalse(saw.toString().contains(PROD_ONLY));
        for (String name : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}) {
            assertTrue(env.path(name).isNull(), name + " reached the build");
        }

        // The build's environment file is gone once the build ended; its log stays for the API.
        HttpResponse<String> log = api.json("GET", "/apps/iso-a/deployments/" + preview.path("deploymentId").asText() + "/logs", null);
        assertEquals(200, log.statusCode(), log.body());
        assertFalse(log.body().contains(PREVIEW_ONLY) || log.body().contains("X-Amz-Signature"), "a value or URL in the log: " + log.body());
        String envKey = SiteKeys.buildEnvironment("iso-a", preview.path("deploymentId").asText());
        assertFalse(slipway.s3().listObjectsV2(r -> r.bucket(slipway.bucket()).prefix(envKey)).hasContents(), envKey + " was left behind");
    }

    /** Runs the probe script on this machine with the build's URLs: what a CodeBuild build could do with them. */
    private static JsonNode probeFromOutside(JsonNode urls, String probes) throws Exception {
        Path dir = Files.createTempDirectory("probe-outside");
        try {
            Files.writeString(dir.resolve("probes.json"), probes);
            Files.writeString(dir.resolve("build.js"), probeApp(probes).get("build.js"));
            ProcessBuilder pb = new ProcessBuilder("node", "build.js").directory(dir.toFile()).redirectErrorStream(true);
            urls.fields().forEachRemaining(e -> pb.environment().put(e.getKey(), e.getValue().asText()));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
            return Json.parse(Files.readString(dir.resolve("dist/probe.json"))).path("statuses");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static Map<String, String> probe(String from, String method, String to) {
        return Map.of("from", from, "method", method, "to", to);
    }

    /**
     * A dependency-free app with a lockfile (so its build gets cache URLs): its build sends each probe and
     * writes the statuses and the variables it saw into dist/probe.json, which the edge serves.
     */
    static Map<String, String> probeApp(String probes) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("package.json", "{\"name\":\"probe\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}\n");
        f.put("package-lock.json", "{\"name\":\"probe\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,"
                + "\"packages\":{\"\":{\"name\":\"probe\",\"version\":\"1.0.0\"}}}\n");
        f.put("probes.json", probes + "\n");
        f.put("build.js", """
                const fs = require('fs'), http = require('http');
                const probes = JSON.parse(fs.readFileSync('probes.json', 'utf8'));
                // A path-style URL is /<bucket>/<key>: swap the key, keep the signature.
                function rewrite(url, to) {
                  const u = new URL(url), bucket = u.pathname.split('/')[1], key = decodeURIComponent(u.pathname.slice(bucket.length + 2));
                  let next = to;
                  if (to === '{same}') next = key;
                  const m = /^\\{key:(.*)=(.*)\\}$/.exec(to);
                  if (m) next = key.replace(m[1], m[2]);
                  u.pathname = '/' + bucket + '/' + next;
                  return u.toString();
                }
                function send(method, url) {
                  if (!url) return Promise.resolve('no url');
                  return new Promise(done => {
                    const body = Buffer.from('planted by another build');
                    const req = http.request(url, { method, headers: method === 'PUT'
                        ? { 'content-type': /build-cache/.test(url) ? 'application/gzip' : 'application/zip', 'content-length': body.length } : {} },
                      res => { res.resume(); res.on('end', () => done(res.statusCode)); });
                    req.on('error', e => done('error ' + e.message));
                    req.end(method === 'PUT' ? body : undefined);
                  });
                }
                (async () => {
                  const statuses = {
                    ownSource: await send('GET', process.env.SLIPWAY_SOURCE_URL),
                    ownEnvironment: await send('GET', process.env.SLIPWAY_ENV_URL),
                    ownCache: await send('GET', process.env.SLIPWAY_CACHE_GET_URL),
                  };
                  for (const [name, p] of Object.entries(probes)) {
                    statuses[name] = await send(p.method, rewrite(process.env[p.from] || '', p.to));
                  }
                  const env = {};
                  for (const n of ['STRIPE_SECRET_KEY', 'STRIPE_TEST_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
                                   'AWS_SESSION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) env[n] = process.env[n] ?? null;
                  const all = JSON.stringify(process.env);
                  const urls = {};
                  for (const n of Object.keys(process.env)) if (/^SLIPWAY_.*_URL$/.test(n)) urls[n] = process.env[n];
                  fs.mkdirSync('dist', { recursive: true });
                  fs.writeFileSync('dist/probe.json', JSON.stringify({ statuses, env, urls,
                    sawProductionValue: all.includes('prod-only-' + 'value-b7c1e9') }));
                  fs.writeFileSync('dist/index.html', '<!doctype html><p>probe</p>');
                })();
                """);
        return f;
    }

    private static void create(String app) throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Isolation " + app + "\"}").statusCode());
    }

    private static void importApp(String app, Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + app + "/imports", Exports.zip(app + "-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    private static JsonNode deploy(String app, Map<String, String> files, String target) throws Exception {
        importApp(app, files);
        JsonNode started = ok("POST", "/apps/" + app + "/deployments", "{}");
        JsonNode d = api.awaitDeployment(app, started.path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        slipway.edge().awaitPromoted(d);
        return d;
    }

    private static JsonNode previewOf(String app, Map<String, String> files, String name) throws Exception {
        importApp(app, files);
        JsonNode created = ok("POST", "/apps/" + app + "/previews", "{\"ref\":\"main\",\"name\":\"" + name + "\"}");
        JsonNode d = api.awaitDeployment(app, created.path("deployment").path("deploymentId").asText());
        for (int i = 0; i < 200 && slipway.edge().site(name + "--" + app, "/probe.json").status() != 200; i++) {
            Thread.sleep(50); // the edge learns the preview's route right after the deployment ends
        }
        return d;
    }

    private static JsonNode ok(String method, String path, String json) throws Exception {
        HttpResponse<String> r = api.json(method, path, json);
        assertTrue(r.statusCode() / 100 == 2, method + " " + path + ": " + r.statusCode() + " " + r.body());
        return Json.parse(r.body());
    }
}
