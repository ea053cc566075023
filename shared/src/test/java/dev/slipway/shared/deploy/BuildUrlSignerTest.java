package dev.slipway.shared.deploy;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a build can reach is exactly what {@link BuildUrlSigner} signs (the build's role has no data rights):
 * every URL names one key under its own deployment's {@code builds/<app>/<deployment>/} or its own app and
 * scope's {@code build-cache/<app>/<scope>/}, for one method, for {@link BuildUrlSigner#LIFETIME}; and the
 * environment file a preview build gets holds no production-only value. (Presigning makes no request; the
 * local runtime's tests send these URLs to the real local S3.)
 */
class BuildUrlSignerTest {
    private static final String BUCKET = "artifacts";
    private static S3Presigner presigner;

    @BeforeAll
    static void presigner() {
        presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }

    @AfterAll
    static void close() {
        presigner.close();
    }

    @Test
    void everyUrlNamesOnlyItsOwnDeploymentsKeysOrItsOwnAppAndScopesCache() {
        BuildUrlSigner signer = new BuildUrlSigner(presigner, BUCKET);
        for (String app : List.of("shop", "blog")) {
            for (String deployment : List.of("01jabcdefghjkmnpqrstvwxyz0", "01jzzzzzzzzzzzzzzzzzzzzzz9")) {
                for (EnvScope scope : EnvScope.values()) {
                    BuildUrls urls = signer.sign(app, deployment, scope, Optional.of("ab".repeat(32)));
                    Map<String, Url> byRole = Map.of(
                            "source", Url.of(urls.source()), "environment", Url.of(urls.environment()),
                            "output", Url.of(urls.output()), "log", Url.of(urls.log()),
                            "cacheGet", Url.of(urls.cacheGet()), "cachePut", Url.of(urls.cachePut()));
                    String own = SiteKeys.buildPrefix(app, deployment);
                    String cache = SiteKeys.dependencyCachePrefix(app, scope.id());
                    assertEquals("builds/" + app + "/" + deployment + "/", own);
                    assertEquals("build-cache/" + app + "/" + scope.id() + "/", cache);
                    for (var e : byRole.entrySet()) {
                        Url u = e.getValue();
                        assertTrue(u.key.startsWith(own) || u.key.startsWith(cache), e.getKey() + " names " + u.key);
                        assertEquals(String.valueOf(BuildUrlSigner.LIFETIME.toSeconds()), u.query.get("X-Amz-Expires"), e.getKey());
                        assertTrue(Set.of("host", "content-type;host").contains(u.query.get("X-Amz-SignedHeaders")),
                                e.getKey() + " signs " + u.query.get("X-Amz-SignedHeaders") + ": a header the build cannot know");
                    }
                    assertEquals(SiteKeys.source(app, deployment), byRole.get("source").key);
                    assertEquals(SiteKeys.buildEnvironment(app, deployment), byRole.get("environment").key);
                    assertEquals(SiteKeys.output(app, deployment), byRole.get("output").key);
                    assertEquals(SiteKeys.log(app, deployment), byRole.get("log").key);
                    assertEquals(SiteKeys.dependencyCache(app, scope.id(), "ab".repeat(32)), byRole.get("cacheGet").key);
                    assertEquals(byRole.get("cacheGet").key, byRole.get("cachePut").key);
                    // Reads are GETs and writes PUTs with a content type: a GET URL cannot write, a PUT URL cannot read.
                    for (String read : List.of("source", "environment", "cacheGet")) {
                        assertEquals("host", byRole.get(read).query.get("X-Amz-SignedHeaders"), read);
                    }
                    for (String write : List.of("output", "log", "cachePut")) {
                        assertEquals("content-type;host", byRole.get(write).query.get("X-Amz-SignedHeaders"), write);
                    }
                    assertEquals(Duration.ofHours(1), BuildUrlSigner.LIFETIME);
                }
            }
        }
    }

    @Test
    void withoutALockfileThereIsNoCacheUrl() {
        BuildUrls urls = new BuildUrlSigner(presigner, BUCKET).sign("shop", "d1", EnvScope.PREVIEW, Optional.empty());
        assertEquals("", urls.cacheGet());
        assertEquals("", urls.cachePut());
        assertFalse(urls.toString().contains("http"), "a BuildUrls in a log line shows no URL");
    }

    @Test
    void aPreviewBuildsEnvironmentFileHoldsNoProductionOnlyValue(@TempDir Path dir) {
        AppEnvironment env = new LocalEncryptedAppEnvironment(dir);
        env.change("shop", Map.of(
                "STRIPE_SECRET_KEY", new AppEnvironment.Entry("sk_live_production-only", Set.of(EnvScope.PRODUCTION)),
                "STRIPE_TEST_KEY", new AppEnvironment.Entry("sk_test_preview-only", Set.of(EnvScope.PREVIEW)),
                "VITE_API_URL", new AppEnvironment.Entry("https://api.example.com", EnvScope.ALL)), List.of());
        env.change("blog", Map.of("BLOG_TOKEN", new AppEnvironment.Entry("blog-token-value", EnvScope.ALL)), List.of());
        BuildInputs inputs = new BuildInputs(null, env, null);

        String preview = new String(inputs.environmentJson("shop", EnvScope.PREVIEW), StandardCharsets.UTF_8);
        assertEquals(Map.of("STRIPE_TEST_KEY", "sk_test_preview-only", "VITE_API_URL", "https://api.example.com"), values(preview));
        assertFalse(preview.contains("sk_live_production-only"), preview);
        assertFalse(preview.contains("blog-token-value"), "another app's value: " + preview);

        String production = new String(inputs.environmentJson("shop", EnvScope.PRODUCTION), StandardCharsets.UTF_8);
        assertEquals(Map.of("STRIPE_SECRET_KEY", "sk_live_production-only", "VITE_API_URL", "https://api.example.com"), values(production));
    }

    @Test
    void theCacheKeyFollowsTheLockfilePackageJsonAndTheInstallSettings(@TempDir Path dir) throws IOException {
        Path a = zip(dir.resolve("a.zip"), Map.of("package.json", "{}", "package-lock.json", "{\"lockfileVersion\":3}"));
        Path b = zip(dir.resolve("b.zip"), Map.of("package.json", "{}", "package-lock.json", "{\"lockfileVersion\":3}", "src/x.js", "1"));
        Path script = zip(dir.resolve("script.zip"), Map.of("package.json", "{\"scripts\":{\"postinstall\":\"node x.js\"}}",
                "package-lock.json", "{\"lockfileVersion\":3}"));
        Path c = zip(dir.resolve("c.zip"), Map.of("package.json", "{}", "package-lock.json", "{\"lockfileVersion\":3,\"x\":1}"));
        Path none = zip(dir.resolve("none.zip"), Map.of("package.json", "{}", "sub/package-lock.json", "{}"));
        String key = DependencyCacheKey.of(a, BuildSettings.NONE).orElseThrow();
        assertTrue(key.matches("[0-9a-f]{64}"), key);
        assertEquals(key, DependencyCacheKey.of(b, null).orElseThrow(), "the install's inputs count, not the sources");
        assertNotEquals(key, DependencyCacheKey.of(script, null).orElseThrow(), "package.json (its install scripts) counts");
        assertNotEquals(key, DependencyCacheKey.of(c, BuildSettings.NONE).orElseThrow());
        assertNotEquals(key, DependencyCacheKey.of(a, new BuildSettings(null, "npm install", null, null, null)).orElseThrow());
        assertNotEquals(key, DependencyCacheKey.of(a, new BuildSettings(null, null, null, null, "18")).orElseThrow());
        assertEquals(Optional.empty(), DependencyCacheKey.of(none, BuildSettings.NONE), "no lockfile at the root: nothing to key a cache by");
    }

    private static Map<String, String> values(String json) {
        Map<String, String> out = new HashMap<>();
        Json.parse(json).fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        return out;
    }

    private static Path zip(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    /** A path-style presigned URL: its key (after /bucket/) and its query. */
    private record Url(String key, Map<String, String> query) {
        static Url of(String url) {
            URI u = URI.create(url);
            String path = u.getRawPath();
            assertTrue(path.startsWith("/" + BUCKET + "/"), url);
            Map<String, String> q = new HashMap<>();
            for (String p : u.getRawQuery().split("&")) {
                int eq = p.indexOf('=');
                q.put(URLDecoder.decode(p.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return new Url(URLDecoder.decode(path.substring(BUCKET.length() + 2), StandardCharsets.UTF_8), q);
        }
    }
}
