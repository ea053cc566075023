package dev.slipway.local.git;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.bench.GitHttpBackend;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real C git client against `slipway up`: clone (protocol v2 and v0) equals the imports, files
 * and history; fetch after a new import; push → commits and audit; push protection and main's
 * rules refuse and write nothing; the zip archive equals `git archive`; `git fsck` is clean. One
 * runtime, one app, the steps in order (each builds on the last).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GitEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().build();
    private static final AdminApi api = slipway.api();
    private static final String APP = "git-shop";
    @TempDir
    static Path tmp;
    private static final List<String> imported = new ArrayList<>();

    @BeforeAll
    static void twoImports() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"name\":\"Git Shop\"}").statusCode());
        imported.add(importExport("first"));
        imported.add(importExport("second"));
    }

    static String importExport(String marker) throws Exception {
        Map<String, String> files = new LinkedHashMap<>(Exports.lovable(marker));
        files.put("src/" + marker + ".ts", "export const marker = '" + marker + "';\n");
        HttpResponse<String> r = api.send(api.request("POST", "/apps/" + APP + "/imports", Exports.zip("shop/", files), "application/zip")
                .header("x-slipway-filename", marker + ".zip").build());
        assertEquals(201, r.statusCode(), r.body());
        return Json.parse(r.body()).get("commit").asText();
    }

    /** The repository's URL with the token as the password, as a credential helper would supply it. */
    static String url() {
        return api.url().replace("http://", "http://git:" + slipway.runtime().adminToken() + "@") + "/git/" + APP + ".git";
    }

    static String git(Path dir, String... args) throws Exception {
        Result r = gitResult(dir, args);
        assertEquals(0, r.exit, "git " + String.join(" ", args) + ":\n" + r.output);
        return r.output.trim();
    }

    record Result(int exit, String output) {
    }

    static Result gitResult(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com",
                "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Path clone(String name, String... options) throws Exception {
        Path dir = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of(options));
        args.add(0, "clone");
        args.addAll(List.of(url(), dir.toString()));
        git(tmp, args.toArray(String[]::new));
        return dir;
    }

    static String head() throws Exception {
        return Json.parse(api.json("GET", "/apps/" + APP + "/commits?limit=1", null).body()).at("/commits/0/sha").asText();
    }

    static List<String> auditActions() {
        List<String> actions = new ArrayList<>();
        slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable")).keyConditionExpression("appId = :a")
                        .expressionAttributeValues(Map.of(":a", AttributeValue.fromS(APP))))
                .items().forEach(i -> {
                    if (i.containsKey("action")) {
                        actions.add(i.get("action").s());
                    }
                });
        return actions;
    }

    static int packCount() {
        return slipway.dynamo().query(q -> q.tableName(slipway.tableName("GitTable")).keyConditionExpression("repo = :a AND begins_with(#n, :p)")
                .expressionAttributeNames(Map.of("#n", "name"))
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS(APP), ":p", AttributeValue.fromS("pack:")))).count();
    }

    @Test
    @Order(1)
    void aCloneHoldsTheImportsFilesAndHistoryAndFsckIsClean() throws Exception {
        for (String protocol : List.of("2", "0")) {
            Path dir = clone("clone-v" + protocol, "-c", "protocol.version=" + protocol);
            assertEquals(imported.get(1) + "\n" + imported.get(0), git(dir, "log", "--format=%H"), "protocol v" + protocol);
            assertEquals(imported.get(1), git(dir, "rev-parse", "HEAD"));
            assertEquals("export const marker = 'second';\n", Files.readString(dir.resolve("src/second.ts")));
            assertTrue(Files.exists(dir.resolve("src/first.ts")) == false, "the second import replaced the first tree");
            assertFalse(Files.exists(dir.resolve(".env")), "env files never reach git");
            assertEquals(Exports.lovable("second").get("src/App.tsx"), Files.readString(dir.resolve("src/App.tsx")));
            git(dir, "fsck", "--full", "--strict");
        }
        // Without a token git is asked for one (401 + Basic), and a wrong one is refused.
        Result anonymous = gitResult(tmp, "ls-remote", url().replaceFirst("git:[^@]+@", ""));
        assertNotEquals(0, anonymous.exit);
        assertTrue(anonymous.output.contains("could not read Username"), anonymous.output);
        Result wrong = gitResult(tmp, "ls-remote", url().replaceFirst("git:[^@]+@", "git:slw_wrong@"));
        assertNotEquals(0, wrong.exit);
        assertTrue(wrong.output.contains("Authentication failed"), wrong.output);
    }

    @Test
    @Order(2)
    void aFetchAfterANewImportBringsItsCommit() throws Exception {
        Path dir = clone("fetcher");
        String third = importExport("third");
        git(dir, "fetch", "origin");
        assertEquals(third, git(dir, "rev-parse", "origin/main"));
        assertEquals(imported.get(1), git(dir, "rev-parse", "origin/main~1"));
        git(dir, "fsck", "--full");
        imported.add(third);
    }

    @Test
    @Order(3)
    void aPushIsACommitWithItsAuditEvent() throws Exception {
        Path dir = clone("pusher");
        Files.writeString(dir.resolve("src/fromGit.ts"), "export const pushed = true;\n");
        git(dir, "add", ".");
        git(dir, "commit", "-m", "From a developer's laptop");
        String sha = git(dir, "rev-parse", "HEAD");
        git(dir, "push", "origin", "main");
        assertEquals(sha, head());
        JsonNode audit = Json.parse(api.json("GET", "/apps/" + APP + "/audit?limit=500", null).body());
        JsonNode last = audit.get("events").get(audit.get("events").size() - 1);
        assertEquals("git.pushed", last.get("action").asText(), audit.toString());
        assertEquals(sha, last.at("/after/commit").asText());
        assertEquals(imported.get(2), last.at("/before/commit").asText());
        assertTrue(Json.parse(api.json("GET", "/apps/" + APP + "/audit/verify", null).body()).path("valid").asBoolean(true));

        // A branch of its own, then a clone sees both.
        git(dir, "checkout", "-b", "feature/login");
        Files.writeString(dir.resolve("src/login.ts"), "export const login = 1;\n");
        git(dir, "add", ".");
        git(dir, "commit", "-m", "Login");
        git(dir, "push", "origin", "feature/login");
        assertEquals(git(dir, "rev-parse", "HEAD"), Json.parse(api.json("GET", "/apps/" + APP + "/commits?branch=feature/login&limit=1", null)
                .body()).at("/commits/0/sha").asText());
        Path again = clone("after-push");
        assertEquals(sha, git(again, "rev-parse", "origin/main"));
        git(again, "fsck", "--full", "--strict");
    }

    @Test
    @Order(4)
    void pushProtectionRefusesEnvFilesAndSecretsAndWritesNothing() throws Exception {
        Path dir = clone("protected");
        String before = head();
        List<String> auditBefore = auditActions();
        int packsBefore = packCount();

        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/.env.production"), "STRIPE=1\n");
        git(dir, "add", "-f", ".");
        git(dir, "commit", "-m", "Add production env");
        Result refused = gitResult(dir, "push", "origin", "main");
        assertNotEquals(0, refused.exit);
        assertTrue(refused.output.contains("remote: error:   config/.env.production: env-file"), refused.output);
        assertEquals(before, head());
        assertEquals(auditBefore, auditActions());
        assertEquals(packsBefore, packCount(), "the refused push's pack is taken back");

        git(dir, "reset", "--hard", "origin/main");
        Files.writeString(dir.resolve("src/admin.ts"), "export const key = \"" + Exports.SERVICE_ROLE + "\";\n");
        git(dir, "add", ".");
        git(dir, "commit", "-m", "Admin client");
        refused = gitResult(dir, "push", "origin", "HEAD:refs/heads/admin");
        assertNotEquals(0, refused.exit);
        assertTrue(refused.output.contains("remote: error:   src/admin.ts:1: supabase-service-role-key"), refused.output);
        assertEquals(auditBefore, auditActions());
        assertEquals(packsBefore, packCount());
        assertEquals("", git(dir, "ls-remote", "origin", "refs/heads/admin"));
    }

    @Test
    @Order(5)
    void mainRefusesNonFastForwardAndDeletion() throws Exception {
        Path dir = clone("rewriter");
        String before = head();
        git(dir, "reset", "--hard", "HEAD~1");
        Files.writeString(dir.resolve("src/other.ts"), "export const other = 1;\n");
        git(dir, "add", ".");
        git(dir, "commit", "-m", "Diverge");
        Result forced = gitResult(dir, "push", "--force", "origin", "main");
        assertNotEquals(0, forced.exit);
        assertTrue(forced.output.contains("non-fast-forward updates of main are not allowed"), forced.output);
        Result deleted = gitResult(dir, "push", "origin", ":main");
        assertNotEquals(0, deleted.exit);
        assertTrue(deleted.output.contains("deleting main is not allowed"), deleted.output);
        assertEquals(before, head());
        // Other branches are the developer's: force-pushed and deleted freely.
        git(dir, "push", "--force", "origin", "HEAD:refs/heads/feature/login");
        git(dir, "push", "origin", ":feature/login");
        assertEquals("", git(dir, "ls-remote", "origin", "refs/heads/feature/login"));
        assertTrue(auditActions().contains("git.branch-deleted"));
    }

    @Test
    @Order(6)
    void theZipArchiveEqualsGitArchiveAndTheTarballHoldsTheSameFiles() throws Exception {
        Path dir = clone("archiver");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        String basic = "Basic " + Base64.getEncoder().encodeToString(("git:" + slipway.runtime().adminToken()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> zip = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/apps/" + APP + "/archive/main.zip"))
                .header("authorization", basic).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, zip.statusCode());
        assertEquals("application/zip", zip.headers().firstValue("content-type").orElse(""));
        git(dir, "archive", "--format=zip", "-o", tmp.resolve("expected.zip").toString(), "HEAD");
        Map<String, byte[]> ours = unzip(zip.body());
        Map<String, byte[]> theirs = unzip(Files.readAllBytes(tmp.resolve("expected.zip")));
        assertEquals(theirs.keySet(), ours.keySet());
        theirs.forEach((name, bytes) -> assertArrayEquals(bytes, ours.get(name), name));

        HttpResponse<byte[]> tgz = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/apps/" + APP + "/archive/"
                        + git(dir, "rev-parse", "HEAD") + ".tar.gz")).header("authorization", basic).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, tgz.statusCode());
        Path extracted = Files.createDirectories(tmp.resolve("tgz"));
        Files.write(tmp.resolve("a.tar.gz"), tgz.body());
        git(tmp, "-c", "core.autocrlf=false", "version"); // git is here, so tar is too
        Process tar = new ProcessBuilder("tar", "-xzf", tmp.resolve("a.tar.gz").toString(), "-C", extracted.toString()).start();
        assertEquals(0, tar.waitFor());
        assertEquals(files(dir), files(extracted));

        HttpResponse<String> missing = api.send("GET", "/apps/" + APP + "/archive/nope.zip", null, null);
        assertEquals(422, missing.statusCode(), missing.body());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(api.url() + "/apps/" + APP + "/archive/main.zip")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    @Order(7)
    void theAppsGitSettingsDeployOnPushAndMayOpenMain() throws Exception {
        LocalSlipway.assumeNpmDependencies(); // a deployment starts the local Step Functions
        assertEquals("{\"deployOnPush\":\"off\",\"allowMainRewrite\":false}", api.json("GET", "/apps/" + APP + "/git", null).body());
        HttpResponse<String> bad = api.json("PUT", "/apps/" + APP + "/git", "{\"deployOnPush\":\"sometimes\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("/deployOnPush"), bad.body());
        assertEquals(400, api.json("PUT", "/apps/" + APP + "/git", "{\"x\":1}").statusCode());
        HttpResponse<String> set = api.json("PUT", "/apps/" + APP + "/git", "{\"deployOnPush\":\"all\",\"allowMainRewrite\":true}");
        assertEquals(200, set.statusCode(), set.body());
        assertTrue(auditActions().contains("git.settings-updated"));

        Path dir = clone("deployer");
        Files.writeString(dir.resolve("src/deployed.ts"), "export const deployed = true;\n");
        git(dir, "add", ".");
        git(dir, "commit", "-m", "Deploy me");
        String sha = git(dir, "rev-parse", "HEAD");
        String pushed = git(dir, "push", "origin", "main");
        assertTrue(pushed.contains("remote: deployment ") && pushed.contains("started: production from " + sha.substring(0, 10)), pushed);
        JsonNode deployments = Json.parse(api.json("GET", "/apps/" + APP + "/deployments", null).body());
        assertEquals(sha, deployments.at("/deployments/0/commit").asText(), deployments.toString());

        String preview = git(dir, "push", "origin", "HEAD:refs/heads/feature/preview-me");
        assertTrue(preview.contains("started: preview feature-preview-me") || preview.contains("started: preview"), preview);

        // allowMainRewrite: main may be force-pushed now, and the audit says it was forced.
        git(dir, "reset", "--hard", "HEAD~1");
        git(dir, "commit", "--allow-empty", "-m", "Rewritten");
        assertEquals(200, api.json("PUT", "/apps/" + APP + "/git", "{\"deployOnPush\":\"off\"}").statusCode());
        git(dir, "push", "--force", "origin", "main");
        assertEquals(git(dir, "rev-parse", "HEAD"), head());
        JsonNode audit = Json.parse(api.json("GET", "/apps/" + APP + "/audit?limit=500", null).body());
        JsonNode last = audit.get("events").get(audit.get("events").size() - 1);
        assertTrue(last.at("/after/forced").asBoolean(), last.toString());
    }

    @Test
    @Order(8)
    void aMirrorBehindGitHttpBackendGetsEveryCommitAndFailuresBackOff() throws Throwable {
        Path served = Files.createDirectories(tmp.resolve("served"));
        git(tmp, "init", "-q", "--bare", "-b", "main", served.resolve("mirror.git").toString());
        try (GitHttpBackend remote = new GitHttpBackend(served, "mirror-token-123")) {
            HttpResponse<String> set = api.json("PUT", "/apps/" + APP + "/mirror",
                    "{\"url\":\"" + remote.url("mirror") + "\",\"token\":\"mirror-token-123\"}");
            assertEquals(200, set.statusCode(), set.body());
            assertFalse(set.body().contains("mirror-token-123"));
            slipway.runtime().functions().invoke("GitMaintenanceFunction", Map.of("source", "test"));

            Path all = tmp.resolve("all.git");
            git(tmp, "clone", "-q", "--mirror", url(), all.toString());
            assertEquals(git(all, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"),
                    git(served.resolve("mirror.git"), "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"));
            assertEquals(git(all, "rev-list", "--all"), git(served.resolve("mirror.git"), "rev-list", "--all"));
            git(served.resolve("mirror.git"), "fsck", "--full");
            JsonNode view = Json.parse(api.json("GET", "/apps/" + APP + "/mirror", null).body());
            assertFalse(view.at("/lastPush/at").isNull(), view.toString());
            assertEquals(0, view.get("failures").asInt());
            assertTrue(auditActions().contains("mirror.pushed"));

            // Nothing changed: the next run pushes nothing. A wrong token fails, is audited, and backs off.
            int events = auditActions().size();
            slipway.runtime().functions().invoke("GitMaintenanceFunction", Map.of("source", "test"));
            assertEquals(events, auditActions().size());
            assertEquals(200, api.json("PUT", "/apps/" + APP + "/mirror",
                    "{\"url\":\"" + remote.url("mirror") + "\",\"token\":\"wrong\"}").statusCode());
            importExport("fourth");
            slipway.runtime().functions().invoke("GitMaintenanceFunction", Map.of("source", "test"));
            view = Json.parse(api.json("GET", "/apps/" + APP + "/mirror", null).body());
            assertEquals(1, view.get("failures").asInt(), view.toString());
            assertFalse(view.at("/lastError/message").isNull());
            assertFalse(view.toString().contains("wrong"));
            assertTrue(auditActions().contains("mirror.failed"));
            int afterFailure = auditActions().size();
            slipway.runtime().functions().invoke("GitMaintenanceFunction", Map.of("source", "test"));
            assertEquals(afterFailure, auditActions().size(), "backing off: no attempt before nextAttemptAt");
        }
        assertEquals(404, api.json("GET", "/apps/event-none-" + 1 + "/mirror", null).statusCode());
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (!rel.startsWith(".git/") && !rel.equals(".git")) {
                    out.put(rel, Files.readString(p));
                }
            }
        }
        return out;
    }
}
