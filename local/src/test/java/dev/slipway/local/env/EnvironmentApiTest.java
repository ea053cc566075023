package dev.slipway.local.env;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.LocalRuntime;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.BuildInputs;
import dev.slipway.shared.deploy.BuildUrlSigner;
import dev.slipway.shared.deploy.BuildUrls;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.build.BuildRequest;
import dev.slipway.shared.deploy.build.LocalBuildRunner;
import dev.slipway.shared.deploy.build.LocalBuildStep;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The environment API through `slipway up`'s HTTP API on the embedded engines, and a real local
 * build per target: a preview build never sees a production-only value.
 */
class EnvironmentApiTest {
    static final String PROD_SECRET = "sk_live_production-only-value-42";
    static final String PREVIEW_SECRET = "sk_test_preview-only-value-17";

    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().build();

    private static JsonNode ok(String method, String path, String json) throws Exception {
        HttpResponse<String> r = slipway.api().json(method, path, json);
        assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.body());
        return Json.parse(r.body());
    }

    private static JsonNode events(String app) throws Exception {
        return ok("GET", "/apps/" + app + "/audit?limit=500", null).get("events");
    }

    private static void app(String id) throws Exception {
        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"" + id + "\",\"name\":\"Env " + id + "\"}").statusCode());
    }

    @Test
    void setListRemoveWithScopesNeverShowingValues() throws Exception {
        app("env-shop");
        assertEquals(0, ok("GET", "/apps/env-shop/environment", null).get("variables").size());

        JsonNode after = ok("PATCH", "/apps/env-shop/environment", "{\"set\":{"
                + "\"STRIPE_SECRET_KEY\":{\"value\":\"" + PROD_SECRET + "\",\"scopes\":[\"production\"]},"
                + "\"STRIPE_TEST_KEY\":{\"value\":\"" + PREVIEW_SECRET + "\",\"scopes\":[\"preview\"]},"
                + "\"VITE_API_URL\":{\"value\":\"https://api.example.com\"}}}");
        HttpResponse<String> listed = slipway.api().json("GET", "/apps/env-shop/environment", null);
        assertEquals(200, listed.statusCode());
        assertEquals(after, Json.parse(listed.body()), "PATCH answers the listing after the change");
        for (String body : new String[] {listed.body(), events("env-shop").toString()}) {
            assertFalse(body.contains(PROD_SECRET) || body.contains(PREVIEW_SECRET) || body.contains("api.example.com"), body);
        }
        JsonNode vars = after.get("variables");
        assertEquals("STRIPE_SECRET_KEY", vars.get(0).get("name").asText());
        assertEquals("[\"production\"]", vars.get(0).get("scopes").toString());
        assertEquals("[\"preview\"]", vars.get(1).get("scopes").toString());
        assertEquals("[\"production\",\"preview\"]", vars.get(2).get("scopes").toString());
        assertNotNull(vars.get(0).get("updatedAt"));

        var env = new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets"));
        assertEquals(Map.of("STRIPE_SECRET_KEY", PROD_SECRET, "VITE_API_URL", "https://api.example.com"),
                env.values("env-shop", EnvScope.PRODUCTION));
        assertEquals(Map.of("STRIPE_TEST_KEY", PREVIEW_SECRET, "VITE_API_URL", "https://api.example.com"),
                env.values("env-shop", EnvScope.PREVIEW));

        // One audit event per change, names and scopes only; the same PATCH again changes nothing and adds none.
        JsonNode ev = events("env-shop");
        JsonNode last = ev.get(ev.size() - 1);
        assertEquals("environment.changed", last.get("action").asText());
        assertEquals("[\"production\"]", last.at("/after/variables/STRIPE_SECRET_KEY").toString());
        int count = ev.size();
        ok("PATCH", "/apps/env-shop/environment", "{\"set\":{\"VITE_API_URL\":{\"value\":\"https://api.example.com\"}}}");
        assertEquals(count, events("env-shop").size(), "a PATCH that changes nothing writes no event");

        ok("PATCH", "/apps/env-shop/environment", "{\"remove\":[\"STRIPE_TEST_KEY\"],"
                + "\"set\":{\"VITE_API_URL\":{\"value\":\"https://api.example.com\",\"scopes\":[\"production\"]}}}");
        assertEquals(Map.of(), env.values("env-shop", EnvScope.PREVIEW));
        JsonNode moved = events("env-shop").get(count);
        assertEquals("[\"STRIPE_TEST_KEY\"]", moved.at("/after/removed").toString());
        assertEquals("[\"production\",\"preview\"]", moved.at("/before/variables/VITE_API_URL").toString());
        assertTrue(Json.parse(slipway.api().json("GET", "/apps/env-shop/audit/verify", null).body()).get("valid").asBoolean());
    }

    @Test
    void badInputIsAProblemAndWritesNothing() throws Exception {
        app("env-bad");
        ok("PATCH", "/apps/env-bad/environment", "{\"set\":{\"KEEP\":{\"value\":\"v\"}}}");
        int events = events("env-bad").size();
        String[] bad = {
                "{\"set\":{\"NEW_ONE\":{\"value\":\"x\"},\"bad-name\":{\"value\":\"x\"}}}",
                "{\"set\":{\"NEW_ONE\":{\"value\":\"x\",\"scopes\":[\"staging\"]}}}",
                "{\"set\":{\"NEW_ONE\":{\"value\":\"x\"}},\"remove\":[\"KEEP\",\"../x\"]}",
                "{\"set\":{\"SLIPWAY_TARGET\":{\"value\":\"production\"}}}",
                "{\"set\":{\"NEW_ONE\":{\"value\":\"" + "x".repeat(5000) + "\"}}}",
                "{\"change\":{}}",
                "[]",
                "not json",
        };
        for (String body : bad) {
            HttpResponse<String> r = slipway.api().json("PATCH", "/apps/env-bad/environment", body);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " for " + body);
            assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""), body);
            assertFalse(r.body().contains("x".repeat(100)), "a refused value is not echoed");
        }
        JsonNode left = ok("GET", "/apps/env-bad/environment", null).get("variables");
        assertEquals(1, left.size(), left.toString());
        assertEquals("KEEP", left.get(0).get("name").asText());
        assertEquals(events, events("env-bad").size(), "no event for a refused change");

        HttpResponse<String> missing = slipway.api().json("GET", "/apps/no-such-app/environment", null);
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("urn:slipway:problem:app-not-found"), missing.body());
        assertEquals(404, slipway.api().json("PATCH", "/apps/no-such-app/environment", "{\"remove\":[\"A\"]}").statusCode());
        assertEquals(400, slipway.api().json("GET", "/apps/Bad_Id/environment", null).statusCode());
    }

    /**
     * The real ExportSource inputs (env.json of the target's scope, presigned URLs) and the real local build
     * step, which reaches them only through those URLs: production sees its secret, a preview does not.
     */
    @Test
    void aPreviewBuildNeverSeesAProductionOnlyValue(@TempDir Path work) throws Exception {
        app("env-build");
        ok("PATCH", "/apps/env-build/environment", "{\"set\":{"
                + "\"STRIPE_SECRET_KEY\":{\"value\":\"" + PROD_SECRET + "\",\"scopes\":[\"production\"]},"
                + "\"STRIPE_TEST_KEY\":{\"value\":\"" + PREVIEW_SECRET + "\",\"scopes\":[\"preview\"]},"
                + "\"VITE_API_URL\":{\"value\":\"https://api.example.com\"}}}");
        String bucket = slipway.bucket();
        S3Client s3 = slipway.s3();
        Path source = Files.write(work.resolve("source.zip"), probeApp());
        LocalBuildStep step = new LocalBuildStep(work.resolve("work"),
                new LocalBuildRunner(work.resolve("cache"), Duration.ofMinutes(2)));
        try (S3Presigner presigner = S3Presigner.builder().region(Region.of(LocalRuntime.REGION))
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(slipway.runtime().s3Endpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            BuildInputs inputs = new BuildInputs(new ReleaseFiles(s3, bucket),
                    new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets")), new BuildUrlSigner(presigner, bucket));

            Map<String, String> production = build(step, inputs, s3, bucket, source, "production");
            assertEquals(PROD_SECRET, production.get("STRIPE_SECRET_KEY"));
            assertEquals("https://api.example.com", production.get("VITE_API_URL"));
            assertFalse(production.containsKey("STRIPE_TEST_KEY"));

            Map<String, String> preview = build(step, inputs, s3, bucket, source, "preview:feature-x");
            assertFalse(preview.containsKey("STRIPE_SECRET_KEY"), "a production-only variable reached a preview build");
            assertFalse(preview.containsValue(PROD_SECRET));
            assertEquals(PREVIEW_SECRET, preview.get("STRIPE_TEST_KEY"));
            assertEquals("https://api.example.com", preview.get("VITE_API_URL"));
        }
    }

    private static Map<String, String> build(LocalBuildStep step, BuildInputs inputs, S3Client s3, String bucket, Path source,
                                             String target) throws Exception {
        String deployment = "probe-" + target.replace(':', '-');
        s3.putObject(r -> r.bucket(bucket).key(SiteKeys.source("env-build", deployment)), RequestBody.fromFile(source));
        BuildSettings settings = new BuildSettings(null, "true", "node build.js", "dist", null);
        BuildUrls urls = inputs.prepare("env-build", deployment, DeployTarget.parse(target).scope(), source, settings);
        var params = Json.object();
        var vars = params.putArray("EnvironmentVariablesOverride");
        Map.of(LocalBuildStep.APP_ID, "env-build", LocalBuildStep.DEPLOYMENT_ID, deployment, LocalBuildStep.TARGET, target,
                        LocalBuildStep.BUILD_SETTINGS, Json.write(settings), LocalBuildStep.SOURCE_URL, urls.source(),
                        LocalBuildStep.ENV_URL, urls.environment(), LocalBuildStep.OUTPUT_URL, urls.output(), LocalBuildStep.LOG_URL, urls.log())
                .forEach((n, v) -> vars.addObject().put("Name", n).put("Type", "PLAINTEXT").put("Value", v));
        assertEquals("SUCCEEDED", step.run(BuildRequest.fromJson(params)).status());
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(SiteKeys.output("env-build", deployment)));
             ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("env.json")) {
                    Map<String, String> out = new java.util.TreeMap<>();
                    Json.parse(new String(zip.readAllBytes(), StandardCharsets.UTF_8)).fields()
                            .forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
                    return out;
                }
            }
        }
        throw new AssertionError("the build wrote no env.json");
    }

    /** A dependency-free app whose build writes its whole environment into the output. */
    private static byte[] probeApp() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("package.json"));
            zip.write("{\"name\":\"env-probe\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}"
                    .getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("build.js"));
            zip.write(("require('fs').mkdirSync('dist',{recursive:true});"
                    + "require('fs').writeFileSync('dist/env.json', JSON.stringify(process.env));"
                    + "require('fs').writeFileSync('dist/index.html', '<!doctype html>');").getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
