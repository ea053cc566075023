package dev.slipway.local.imports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Imports end to end through `slipway up`'s HTTP API, on the embedded engines. */
class ImportApiTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().build();
    private static final AdminApi api = slipway.api();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static JsonNode ok(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return Json.parse(r.body());
    }

    static void problem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }

    /** The app's audit items as stored, head (seq 0) included. */
    static List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> auditItems(String app) {
        return slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable"))
                .keyConditionExpression("appId = :a")
                .expressionAttributeValues(Map.of(":a", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(app))))
                .items();
    }

    static List<String> auditActions(String app) {
        List<String> actions = new ArrayList<>();
        auditItems(app).forEach(i -> {
            if (i.containsKey("action")) {
                actions.add(i.get("action").s());
            }
        });
        return actions;
    }

    /** PUTs bytes to a presigned upload with the headers its signature covers (the client sets the length). */
    static HttpResponse<String> putUpload(JsonNode upload, byte[] body) throws Exception {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        upload.path("headers").fields().forEachRemaining(h -> {
            if (!h.getKey().equalsIgnoreCase("content-length")) {
                put.header(h.getKey(), h.getValue().asText());
            }
        });
        return HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int packs(String app) {
        return slipway.dynamo().query(q -> q.tableName(slipway.tableName("GitTable"))
                .keyConditionExpression("repo = :r AND begins_with(#n, :p)")
                .expressionAttributeNames(Map.of("#n", "name"))
                .expressionAttributeValues(Map.of(":r", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(app),
                        ":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("pack:")))).count();
    }

    static String newApp(String name) throws Exception {
        return ok(api.json("POST", "/apps", "{\"name\":\"" + name + "\"}"), 201).path("id").asText();
    }

    static JsonNode importZip(String app, byte[] zip, int status) throws Exception {
        return ok(api.send("POST", "/apps/" + app + "/imports", zip, "application/zip"), status);
    }

    @Test
    void aLovableExportBecomesACommitWithSecretsTakenOut() throws Exception {
        String app = newApp("Lovable Shop");
        Map<String, String> files = Exports.lovable("v1");
        HttpResponse<String> raw = api.send("POST", "/apps/" + app + "/imports", Exports.zip("my-shop-main/", files), "application/zip");
        JsonNode first = ok(raw, 201);

        assertTrue(first.path("commit").asText().matches("[0-9a-f]{40}"), raw.body());
        assertTrue(first.has("parent") && first.get("parent").isNull(), "parent is null on a first commit: " + raw.body());
        assertEquals("main", first.path("branch").asText());
        // package.json, lock, vite config, index.html, 4 sources, .env.example; not .env, node_modules, dist, .DS_Store
        assertEquals(9, first.path("filesAdded").asInt(), raw.body());
        assertEquals("lovable", first.path("framework").asText());
        assertEquals("npm ci", first.path("build").path("installCommand").asText());
        assertEquals("npm run build", first.path("build").path("buildCommand").asText());
        assertEquals("dist", first.path("build").path("outputDir").asText());
        assertEquals("20", first.path("build").path("nodeVersion").asText());

        // Secrets: named, never shown.
        assertFalse(raw.body().contains(Exports.STRIPE_LIVE), "live key echoed");
        assertFalse(raw.body().contains(Exports.SERVICE_ROLE), "service role key echoed");
        Set<String> rules = new HashSet<>();
        first.path("findings").forEach(f -> rules.add(f.path("rule").asText()));
        assertTrue(rules.contains("env-file"), raw.body());
        assertTrue(rules.contains("stripe-live-secret-key"), raw.body());
        assertFalse(rules.contains("supabase-service-role-key") && first.path("findings").toString().contains("client.ts"),
                "the anon key in client.ts is public by design");
        JsonNode stripe = null;
        for (JsonNode f : first.path("findings")) {
            if (f.path("rule").asText().equals("stripe-live-secret-key")) {
                stripe = f;
            }
        }
        assertEquals("src/lib/payments.ts", stripe.path("file").asText());
        assertEquals(2, stripe.path("line").asInt());
        assertTrue(first.path("environmentVariables").toString().contains("SUPABASE_SERVICE_ROLE_KEY"));

        // The .env values are kept encrypted under the data folder, not in plain text.
        var env = new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets"));
        assertEquals(Exports.SERVICE_ROLE, env.values(app, dev.slipway.shared.env.EnvScope.PRODUCTION).get("SUPABASE_SERVICE_ROLE_KEY"));
        try (Stream<Path> stored = Files.list(slipway.dataDir().resolve("secrets"))) {
            for (Path p : stored.toList()) {
                assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(Exports.SERVICE_ROLE));
            }
        }

        assertEquals(1, packs(app), "an import writes one pack: blobs, trees and the commit");

        // The tree in git: exactly what was kept.
        JsonNode tree = ok(api.json("GET", "/apps/" + app + "/commits/" + first.path("commit").asText() + "/files", null), 200);
        List<String> paths = new ArrayList<>();
        tree.path("files").forEach(f -> paths.add(f.path("path").asText()));
        assertTrue(paths.contains(".env.example"));
        assertTrue(paths.contains("src/App.tsx"));
        assertFalse(paths.contains(".env"));
        assertTrue(paths.stream().noneMatch(p -> p.startsWith("node_modules/") || p.startsWith("dist/") || p.endsWith(".DS_Store")), paths.toString());

        // The audit trail has the import with its findings (redacted) and the variables' names.
        JsonNode audited = null;
        for (var item : auditItems(app)) {
            if (item.containsKey("action") && item.get("action").s().equals("import.committed")) {
                audited = Json.parse(item.get("after").s());
            }
        }
        assertTrue(audited != null, "an import.committed audit event");
        assertEquals(first.path("commit").asText(), audited.path("commit").asText());
        assertTrue(audited.path("findings").toString().contains("stripe-live-secret-key"));
        assertTrue(audited.path("environmentVariables").toString().contains("SUPABASE_SERVICE_ROLE_KEY"));
        assertFalse(audited.toString().contains(Exports.STRIPE_LIVE) || audited.toString().contains(Exports.SERVICE_ROLE));

        // The app now carries what was detected.
        JsonNode appView = ok(api.json("GET", "/apps/" + app, null), 200);
        assertEquals("lovable", appView.path("framework").asText());
        assertEquals("dist", appView.path("build").path("outputDir").asText());

        // Same tree again: the existing commit, 200, no new commit. A changed .env value is still
        // taken (it is not in the tree) and that change is audited.
        files.put(".env", "SUPABASE_SERVICE_ROLE_KEY=rotated-value\n");
        JsonNode again = importZip(app, Exports.zip("my-shop-main/", files), 200);
        assertEquals(first.path("commit").asText(), again.path("commit").asText());
        assertEquals("rotated-value", env.values(app, dev.slipway.shared.env.EnvScope.PRODUCTION).get("SUPABASE_SERVICE_ROLE_KEY"));
        assertTrue(auditActions(app).contains("environment.updated"), auditActions(app).toString());
        assertEquals(1, ok(api.json("GET", "/apps/" + app + "/commits", null), 200).path("commits").size());

        // One changed file: one commit on top, diff says so.
        files.put("src/App.tsx", "export default function App() { return <h1>v2</h1>; }\n");
        JsonNode second = importZip(app, Exports.zip("my-shop-main/", files), 201);
        assertEquals(first.path("commit").asText(), second.path("parent").asText());
        assertEquals(0, second.path("filesAdded").asInt());
        assertEquals(1, second.path("filesChanged").asInt());
        assertEquals(0, second.path("filesRemoved").asInt());
        assertEquals(2, packs(app), "the identical re-import wrote nothing");

        JsonNode history = ok(api.json("GET", "/apps/" + app + "/commits?branch=main", null), 200);
        assertEquals(2, history.path("commits").size());
        JsonNode newest = history.path("commits").get(0);
        assertEquals(second.path("commit").asText(), newest.path("sha").asText());
        assertEquals(first.path("commit").asText(), newest.path("parents").get(0).asText());
        assertTrue(newest.path("message").asText().startsWith("Import Lovable export"), newest.toString());
        assertTrue(newest.path("message").asText().contains("by admin"), newest.toString());
        assertEquals(1, newest.path("diffstat").path("filesChanged").asInt());
        assertEquals(1, newest.path("diffstat").path("insertions").asInt());
        assertEquals(1, newest.path("diffstat").path("deletions").asInt());
        assertEquals("admin", newest.path("author").path("name").asText());

        // Paging: one per page, the cursor leads to the first commit.
        JsonNode page1 = ok(api.json("GET", "/apps/" + app + "/commits?limit=1", null), 200);
        assertEquals(1, page1.path("commits").size());
        JsonNode page2 = ok(api.json("GET", "/apps/" + app + "/commits?limit=1&cursor=" + page1.path("nextCursor").asText(), null), 200);
        assertEquals(first.path("commit").asText(), page2.path("commits").get(0).path("sha").asText());
        assertTrue(page2.path("nextCursor").isNull());
    }

    @Test
    void envFilesInAnyLetterCaseAreKeptOutOfGitAndImported() throws Exception {
        String app = newApp("Case Shop");
        Map<String, String> files = new java.util.LinkedHashMap<>(Exports.lovable("case"));
        files.remove(".env");
        files.remove(".env.example");
        files.put(".ENV", "UPPER_CASE_SECRET=upper-value\n");
        files.put("config/.Env.local", "MIXED_CASE_SECRET=mixed-value\n");
        files.put(".ENV.EXAMPLE", "UPPER_CASE_SECRET=\n");
        JsonNode imported = importZip(app, Exports.zip("", files), 201);
        assertTrue(imported.path("environmentVariables").toString().contains("UPPER_CASE_SECRET"), imported.toString());
        assertTrue(imported.path("environmentVariables").toString().contains("MIXED_CASE_SECRET"), imported.toString());

        JsonNode tree = ok(api.json("GET", "/apps/" + app + "/commits/" + imported.path("commit").asText() + "/files", null), 200);
        List<String> paths = new ArrayList<>();
        tree.path("files").forEach(f -> paths.add(f.path("path").asText()));
        assertFalse(paths.contains(".ENV"), paths.toString());
        assertFalse(paths.contains("config/.Env.local"), paths.toString());
        assertTrue(paths.contains(".ENV.EXAMPLE"), "an example stays an ordinary file: " + paths);

        var env = new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets"));
        Map<String, String> values = env.values(app, dev.slipway.shared.env.EnvScope.PRODUCTION);
        assertEquals("upper-value", values.get("UPPER_CASE_SECRET"));
        assertEquals("mixed-value", values.get("MIXED_CASE_SECRET"));
    }

    @Test
    void theOwnersBuildSettingsWinOverDetection() throws Exception {
        String app = newApp("Override Shop");
        importZip(app, Exports.zip("", Exports.lovable("a")), 201);
        ok(api.json("PATCH", "/apps/" + app, "{\"build\":{\"outputDir\":\"public-out\"}}"), 200);
        JsonNode next = importZip(app, Exports.zip("", Exports.lovable("b")), 201);
        assertEquals("public-out", next.path("build").path("outputDir").asText());
        JsonNode view = ok(api.json("GET", "/apps/" + app, null), 200);
        assertEquals("public-out", view.path("build").path("outputDir").asText());
        assertEquals("dist", view.path("detected").path("outputDir").asText());
        assertEquals("npm ci", view.path("build").path("installCommand").asText());
    }

    @Test
    void tenImportsAtOnceMakeALinearHistoryWithEveryCommit() throws Exception {
        String app = newApp("Busy Shop");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] zip = Exports.zip("", Exports.lovable("concurrent " + i));
                answers.add(pool.submit((Callable<JsonNode>) () -> importZip(app, zip, 201)));
            }
            Set<String> commits = new HashSet<>();
            for (Future<JsonNode> f : answers) {
                commits.add(f.get().path("commit").asText());
            }
            assertEquals(10, commits.size());
            JsonNode history = ok(api.json("GET", "/apps/" + app + "/commits?limit=100", null), 200);
            assertEquals(10, history.path("commits").size());
            Set<String> listed = new HashSet<>();
            JsonNode list = history.path("commits");
            for (int i = 0; i < list.size(); i++) {
                listed.add(list.get(i).path("sha").asText());
                int parents = list.get(i).path("parents").size();
                assertEquals(i == list.size() - 1 ? 0 : 1, parents, "linear history");
                if (i < list.size() - 1) {
                    assertEquals(list.get(i + 1).path("sha").asText(), list.get(i).path("parents").get(0).asText());
                }
            }
            assertEquals(commits, listed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLargeExportGoesThroughAPresignedUpload() throws Exception {
        String app = newApp("Upload Shop");
        byte[] zip = Exports.zip("project/", Exports.lovable("uploaded"));
        JsonNode upload = ok(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":" + zip.length + ",\"name\":\"my-shop.zip\"}"), 201);
        HttpResponse<String> stored = putUpload(upload, zip);
        assertEquals(200, stored.statusCode(), stored.body());

        JsonNode imported = ok(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + upload.path("uploadId").asText() + "\"}"), 201);
        assertEquals("lovable", imported.path("framework").asText());
        JsonNode commit = ok(api.json("GET", "/apps/" + app + "/commits", null), 200).path("commits").get(0);
        assertTrue(commit.path("message").asText().contains("my-shop.zip"), commit.toString());

        // The upload was consumed: using it again finds nothing.
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + upload.path("uploadId").asText() + "\"}"),
                409, "upload-not-received");
        // A body of another size than the one signed is refused by S3 itself.
        JsonNode small = ok(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":10}"), 201);
        assertNotEquals(200, putUpload(small, zip).statusCode());
        problem(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":" + (1L << 40) + "}"), 413, "upload-too-large");
        problem(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":0}"), 400, "validation-failed");
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"not-an-upload\"}"), 404, "upload-not-found");

        // A refused export that came as an upload leaves no upload behind either.
        byte[] hostile = Exports.zip("", Map.of("../escape.txt", "x", "index.html", "<h1>x</h1>"));
        JsonNode bad = ok(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":" + hostile.length + "}"), 201);
        assertEquals(200, putUpload(bad, hostile).statusCode());
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + bad.path("uploadId").asText() + "\"}"),
                400, "archive-path-traversal");
        assertEquals(0, slipway.s3().listObjectsV2(l -> l.bucket(slipway.bucket()).prefix("uploads/" + app + "/")).contents().size(),
                "no upload left");
    }

    @Test
    void anUnknownOrAnotherAppsUploadIsNotFoundAndOneWithoutAFileIsNotReceived() throws Exception {
        String app = newApp("Upload Owner");
        String other = newApp("Upload Stranger");
        String unknown = dev.slipway.shared.ids.Ulid.next(java.time.Instant.now());
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + unknown + "\"}"), 404, "upload-not-found");

        // Created for app, nothing PUT yet: 409 for app, 404 for anyone else.
        JsonNode pending = ok(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":100}"), 201);
        String pendingId = pending.path("uploadId").asText();
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + pendingId + "\"}"), 409, "upload-not-received");
        problem(api.json("POST", "/apps/" + other + "/imports", "{\"uploadId\":\"" + pendingId + "\"}"), 404, "upload-not-found");

        // Received for app: still not another app's to import, and it stays for its own app.
        byte[] zip = Exports.zip("", Exports.lovable("owned"));
        JsonNode owned = ok(api.json("POST", "/apps/" + app + "/uploads", "{\"size\":" + zip.length + "}"), 201);
        assertEquals(200, putUpload(owned, zip).statusCode());
        String ownedId = owned.path("uploadId").asText();
        problem(api.json("POST", "/apps/" + other + "/imports", "{\"uploadId\":\"" + ownedId + "\"}"), 404, "upload-not-found");
        assertEquals(0, ok(api.json("GET", "/apps/" + other + "/commits", null), 200).path("commits").size());
        ok(api.json("POST", "/apps/" + app + "/imports", "{\"uploadId\":\"" + ownedId + "\"}"), 201);
    }

    @Test
    void gitUrlsThatCouldReachInsideAreRefusedBeforeAnyFetch() throws Exception {
        String app = newApp("Git Shop");
        Map<String, String> refused = Map.ofEntries(
                Map.entry("http://github.com/owner/repo.git", "git-url-scheme-not-allowed"),
                Map.entry("file:///etc/passwd", "git-url-scheme-not-allowed"),
                Map.entry("ssh://git@github.com/owner/repo.git", "git-url-scheme-not-allowed"),
                Map.entry("git://github.com/owner/repo.git", "git-url-scheme-not-allowed"),
                Map.entry("amazon-s3://creds@bucket/repo.git", "git-url-scheme-not-allowed"),
                Map.entry("https://127.0.0.1/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://localhost/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://169.254.169.254/latest/meta-data", "git-url-host-not-public"),
                Map.entry("https://10.1.2.3/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://192.168.0.10/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://[::1]/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://[fd00:ec2::254]/latest", "git-url-host-not-public"),
                Map.entry("https://user:s3cr3t-token@127.0.0.1/owner/repo.git", "git-url-host-not-public"),
                Map.entry("https://github.com/owner/repo.git?x=1", "git-url-invalid"),
                Map.entry("https://140.82.121.3:22/owner/repo.git", "git-url-invalid"),
                Map.entry("https://github.com:6379/owner/repo.git", "git-url-invalid"),
                Map.entry("not a url", "git-url-invalid"));
        for (var e : refused.entrySet()) {
            HttpResponse<String> r = api.json("POST", "/apps/" + app + "/imports", Json.write(Map.of("gitUrl", e.getKey(), "ref", "main")));
            assertEquals(400, r.statusCode(), e.getKey() + " → " + r.body());
            problem(r, 400, e.getValue());
            assertFalse(r.body().contains("s3cr3t"), "credentials echoed: " + r.body());
        }
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"gitUrl\":\"https://github.com/a/b\",\"uploadId\":\"x\"}"), 400, "validation-failed");
        problem(api.json("POST", "/apps/" + app + "/imports", "{}"), 400, "validation-failed");
        problem(api.json("POST", "/apps/" + app + "/imports", "{\"gitUrl\":\"https://github.com/a/b\",\"depth\":1}"), 400, "unknown-field");
        assertEquals(0, ok(api.json("GET", "/apps/" + app + "/commits", null), 200).path("commits").size(), "nothing was committed");
    }

    @Test
    void badRequestsGetProblems() throws Exception {
        String app = newApp("Problem Shop");
        problem(api.send("POST", "/apps/no-such-app/imports", Exports.zip("", Exports.lovable("x")), "application/zip"), 404, "app-not-found");
        problem(api.send("POST", "/apps/" + app + "/imports", "hello".getBytes(StandardCharsets.UTF_8), "text/plain"), 415, "unsupported-media-type");
        problem(api.send("POST", "/apps/" + app + "/imports", new byte[4 * 1024 * 1024 + 100_000], "application/zip"), 413, "inline-import-too-large");
        problem(api.send("POST", "/apps/" + app + "/imports", new byte[5 * 1024 * 1024], "application/zip"), 413, "payload-too-large");
        problem(api.send("POST", "/apps/" + app + "/imports?branch=..%2Fx", Exports.zip("", Exports.lovable("x")), "application/zip"), 400, "invalid-query");
        assertEquals(0, ok(api.json("GET", "/apps/" + app + "/commits", null), 200).path("commits").size(), "main is empty before an import");
        problem(api.json("GET", "/apps/" + app + "/commits?branch=feature", null), 404, "branch-not-found");
        JsonNode c = importZip(app, Exports.zip("", Exports.lovable("x")), 201);
        problem(api.json("GET", "/apps/" + app + "/commits?branch=other", null), 404, "branch-not-found");
        problem(api.json("GET", "/apps/" + app + "/commits?limit=0", null), 400, "invalid-query");
        problem(api.json("GET", "/apps/" + app + "/commits?cursor=zzz", null), 400, "invalid-query");
        problem(api.json("GET", "/apps/" + app + "/commits/nothex/files", null), 400, "invalid-query");
        problem(api.json("GET", "/apps/" + app + "/commits/" + "0".repeat(40) + "/files", null), 404, "commit-not-found");
        problem(api.json("GET", "/apps/ghost-app/commits", null), 404, "app-not-found");
        JsonNode twoFiles = ok(api.json("GET", "/apps/" + app + "/commits/" + c.path("commit").asText() + "/files?limit=2", null), 200);
        String blob = twoFiles.path("files").get(0).path("sha").asText();
        problem(api.json("GET", "/apps/" + app + "/commits?cursor=" + blob, null), 400, "invalid-query");
        problem(api.json("GET", "/apps/" + app + "/commits/" + blob + "/files", null), 404, "commit-not-found");
        HttpResponse<String> noAuth = HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + "/apps/" + app + "/commits")).build(),
                HttpResponse.BodyHandlers.ofString());
        problem(noAuth, 401, "unauthorized");
    }
}
