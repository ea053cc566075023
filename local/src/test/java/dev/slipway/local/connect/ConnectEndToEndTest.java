package dev.slipway.local.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.imports.GitHttpsServer;
import dev.slipway.local.template.SamTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What builders and CI connect with, through `slipway up`: a deploy hook handed out by a deployer token
 * (its URL deploys with no other credential, a repeated delivery id does the work once, a wrong or
 * revoked URL deploys nothing), and GitHub sync against a real repository served over TLS by C git's
 * http-backend (signed push webhooks ending in a production deploy and a preview; a deleted branch
 * removes its preview; wrong signatures, unknown apps and replays do nothing). Static sites, so no npm
 * build is needed.
 */
class ConnectEndToEndTest {
    static final Path gitRoot = tempDir();
    /** "GitHub": started before the runtime, whose git-URL fetches may reach its loopback port (tests only). */
    static final GitHttpsServer github = gitServer();

    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().scheduleInterval(Duration.ZERO)
            .environment("GIT_URL_ALLOWED_PORTS", Integer.toString(github.port()))
            .environment("GIT_URL_LOOPBACK_FOR_TESTS", "true").build();

    static Path tempDir() {
        try {
            return Files.createTempDirectory("slipway-github-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GitHttpsServer gitServer() {
        try {
            return new GitHttpsServer(gitRoot, 0);
        } catch (Exception e) {
            throw new IllegalStateException("the test's git server (C git's http-backend over TLS) did not start", e);
        }
    }

    @AfterAll
    static void stopGit() {
        github.close();
    }

    static AdminApi deployer;

    @BeforeAll
    static void appWithAStaticSite() throws Exception {
        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"site\",\"name\":\"Site\"}").statusCode());
        HttpResponse<String> imported = slipway.api().send("POST", "/apps/site/imports",
                Exports.zip("site/", Map.of("index.html", "<!doctype html><h1>from the hook</h1>\n")), "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        HttpResponse<String> token = slipway.api().json("POST", "/tokens", "{\"name\":\"ci\",\"role\":\"deployer\",\"apps\":[\"site\"]}");
        assertEquals(201, token.statusCode(), token.body());
        String secret = Json.parse(token.body()).get("token").asText();
        deployer = new AdminApi(() -> slipway.runtime().apiUrl(), () -> secret);
    }

    static HttpResponse<String> deliver(String path, String deliveryId) throws Exception {
        HttpRequest.Builder b = slipway.api().anonymousRequest("POST", path, null, null);
        if (deliveryId != null) {
            b.header("idempotency-key", deliveryId);
        }
        return slipway.api().send(b.build());
    }

    static int deployments() throws Exception {
        return Json.parse(slipway.api().json("GET", "/apps/site/deployments", null).body()).get("deployments").size();
    }

    @Test
    void aHookUrlDeploysOnceWithNoOtherCredential() throws Exception {
        HttpResponse<String> created = deployer.json("POST", "/apps/site/hooks", "{\"name\":\"netlify-style\",\"ref\":\"main\",\"target\":\"production\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("true", created.headers().firstValue("x-slipway-shown-once").orElse(""));
        JsonNode hook = Json.parse(created.body());
        String path = hook.get("path").asText();
        String hookId = hook.get("hookId").asText();
        assertTrue(path.matches("/hooks/" + hookId + "/slwh_[0-9A-Za-z]{40}"), path);
        // The listing never shows the secret.
        String listing = deployer.json("GET", "/apps/site/hooks", null).body();
        assertFalse(listing.contains(path.substring(path.lastIndexOf('/') + 1)), listing);

        int before = deployments();
        assertEquals(401, deliver("/hooks/" + hookId + "/slwh_" + "x".repeat(40), null).statusCode());
        assertEquals(401, deliver("/hooks/01JZZZZZZZZZZZZZZZZZZZZZZZ/" + path.substring(path.lastIndexOf('/') + 1), null).statusCode());
        assertEquals(before, deployments(), "a wrong hook URL deployed something");

        HttpResponse<String> first = deliver(path, "delivery-1");
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> again = deliver(path, "delivery-1");
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().firstValue("idempotent-replayed").orElse(""));
        assertEquals(before + 1, deployments(), "a repeated delivery deployed twice");

        String deploymentId = Json.parse(first.body()).get("deployment").get("deploymentId").asText();
        JsonNode done = slipway.api().awaitDeployment("site", deploymentId);
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        assertEquals("hook", done.get("startedBy").get("kind").asText(), done.toString());
        assertEquals(hookId, done.get("startedBy").get("hookId").asText());
        assertEquals("netlify-style", done.get("startedBy").get("name").asText());
        slipway.edge().awaitPromoted(done);
        assertTrue(slipway.edge().site("site", "/").text().contains("from the hook"));

        // Revoked: the URL deploys nothing any more; the trail names who made, used and revoked it.
        assertEquals(200, deployer.json("DELETE", "/apps/site/hooks/" + hookId, null).statusCode());
        assertEquals(401, deliver(path, "delivery-2").statusCode());
        assertEquals(before + 1, deployments());
        String audit = slipway.api().json("GET", "/apps/site/audit", null).body();
        assertTrue(audit.contains("\"hook.created\"") && audit.contains("\"hook.revoked\""), audit);
        assertTrue(audit.contains("\"actor\":\"hook:" + hookId + ":netlify-style\""), audit);
    }

    @Test
    void aPreviewHookDeploysThePreviewNamedAfterItsRef() throws Exception {
        HttpResponse<String> created = deployer.json("POST", "/apps/site/hooks", "{\"name\":\"preview-hook\",\"ref\":\"main\",\"target\":\"preview\"}");
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> delivered = deliver(Json.parse(created.body()).get("path").asText(), null);
        assertEquals(202, delivered.statusCode(), delivered.body());
        JsonNode body = Json.parse(delivered.body());
        assertEquals("main", body.get("preview").asText());
        JsonNode done = slipway.api().awaitDeployment("site", body.get("deployment").get("deploymentId").asText());
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        assertEquals("preview:main", done.get("target").asText(), done.toString());
        awaitSite("main--site", "from the hook");
    }

    @Test
    void badHookRequestsAreRefusedAndWriteNothing() throws Exception {
        for (String body : new String[]{"{}", "{\"name\":\"x\",\"target\":\"staging\"}", "{\"name\":\"x\",\"ref\":\"../x\"}",
                "{\"name\":\"x\",\"ref\":\"-x\"}", "{\"name\":\"x\",\"extra\":1}"}) {
            HttpResponse<String> r = deployer.json("POST", "/apps/site/hooks", body);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
        }
        assertEquals(404, deployer.json("DELETE", "/apps/site/hooks/01JZZZZZZZZZZZZZZZZZZZZZZZ", null).statusCode());
    }

    /** The preview's host serves {@code text} (the edge learns the alias right after SUCCEEDED). */
    static void awaitSite(String hostLabel, String text) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        String got = "";
        while (Instant.now().isBefore(deadline)) {
            got = slipway.edge().site(hostLabel, "/").text();
            if (got.contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(hostLabel + " serves " + got);
    }

    // ---- GitHub sync ----

    static String sign(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    static HttpResponse<String> webhook(String app, String body, String signature, String delivery) throws Exception {
        HttpRequest.Builder b = slipway.api().anonymousRequest("POST", "/webhooks/github/" + app,
                body.getBytes(StandardCharsets.UTF_8), "application/json").header("x-github-event", "push")
                .header("x-github-delivery", delivery);
        if (signature != null) {
            b.header("x-hub-signature-256", signature);
        }
        return slipway.api().send(b.build());
    }

    static String push(String branch, String after, boolean deleted) {
        return "{\"ref\":\"refs/heads/" + branch + "\",\"before\":\"" + "1".repeat(40) + "\",\"after\":\"" + after
                + "\",\"deleted\":" + deleted + ",\"repository\":{\"full_name\":\"builder/shop\"},"
                + "\"head_commit\":{\"id\":\"" + after + "\",\"message\":\"Lovable: edit\"}}";
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-c", "user.name=Builder Bot", "-c", "user.email=bot@builder.invalid"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out.trim();
    }

    /** The deployment of {@code app} that appears after {@code known} deployments (the worker runs after the answer). */
    static JsonNode nextDeployment(String app, int known) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(deadline)) {
            JsonNode list = Json.parse(slipway.api().json("GET", "/apps/" + app + "/deployments", null).body()).get("deployments");
            if (list.size() > known) {
                String id = list.get(0).get("deploymentId").asText();
                return slipway.api().awaitDeployment(app, id);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no deployment of " + app + " after the push");
    }

    static int deploymentsOf(String app) throws Exception {
        return Json.parse(slipway.api().json("GET", "/apps/" + app + "/deployments", null).body()).get("deployments").size();
    }

    @Test
    void pushesOnGitHubBecomeAProductionDeployAndAPreview() throws Exception {
        Path bare = github.repository("shop", Map.of("index.html", "<!doctype html><h1>v1 from github</h1>\n"), List.of());
        Path work = gitRoot.resolve("shop-work");
        git(work, "remote", "add", "origin", bare.toString());
        String mainSha = git(work, "rev-parse", "HEAD");

        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"gh\",\"name\":\"From GitHub\"}").statusCode());
        HttpResponse<String> configured = slipway.api().send(slipway.api().request("PUT", "/apps/gh/source",
                ("{\"repository\":\"" + github.url("shop") + "\",\"branches\":{\"main\":\"production\",\"*\":\"preview\"}}")
                        .getBytes(StandardCharsets.UTF_8), "application/json").build());
        assertEquals(200, configured.statusCode(), configured.body());
        String secret = Json.parse(configured.body()).get("webhookSecret").asText();
        assertFalse(slipway.api().json("GET", "/apps/gh/source", null).body().contains(secret), "the secret is shown once");
        String auditBefore = slipway.api().json("GET", "/apps/gh/audit", null).body();

        // Refused without a trace: a wrong signature, none, an unknown app.
        String body = push("main", mainSha, false);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertEquals(401, webhook("gh", body, sign("not-the-secret", bytes), "d-bad").statusCode());
        assertEquals(401, webhook("gh", body, null, "d-none").statusCode());
        assertEquals(401, webhook("gh", body + " ", sign(secret, bytes), "d-changed").statusCode());
        assertEquals(404, webhook("nope", body, sign(secret, bytes), "d-unknown").statusCode());
        assertEquals(auditBefore, slipway.api().json("GET", "/apps/gh/audit", null).body());
        assertEquals(0, deploymentsOf("gh"));

        // The push to main: answered at once, then imported and deployed to production.
        long start = System.nanoTime();
        HttpResponse<String> queued = webhook("gh", body, sign(secret, bytes), "d-main-1");
        long answeredMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(202, queued.statusCode(), queued.body());
        assertTrue(answeredMs < 10_000, "answered in " + answeredMs + " ms");
        System.out.println("GitHub push webhook answered in " + answeredMs + " ms (GitHub allows 10 s)");
        JsonNode production = nextDeployment("gh", 0);
        assertEquals("SUCCEEDED", production.get("status").asText(), production.toString());
        assertEquals("production", production.get("target").asText());
        assertEquals("github", production.get("startedBy").get("kind").asText(), production.toString());
        assertEquals("d-main-1", production.get("startedBy").get("deliveryId").asText());
        assertTrue(production.path("promoted").asBoolean(true), production.toString());
        try {
            slipway.edge().awaitPromoted(production);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + production + "\nproduction: " + slipway.edge().site("gh", "/").status() + " "
                    + slipway.edge().site("gh", "/").text() + "\nrelease: " + slipway.edge().site(production.get("releaseId").asText() + "--gh", "/").text());
        }
        assertTrue(slipway.edge().site("gh", "/").text().contains("v1 from github"));
        // The commit keeps GitHub's author and message, and names GitHub's commit.
        JsonNode head = Json.parse(slipway.api().json("GET", "/apps/gh/commits", null).body()).get("commits").get(0);
        assertEquals("t", head.get("author").get("name").asText(), head.toString());
        assertEquals("t@example.invalid", head.get("author").get("email").asText());
        assertTrue(head.get("message").asText().startsWith("export\n\n"), head.toString());
        assertTrue(head.get("message").asText().contains("Git-Commit: " + mainSha), head.toString());

        // GitHub redelivers: nothing happens.
        HttpResponse<String> replay = webhook("gh", body, sign(secret, bytes), "d-main-1");
        assertEquals(200, replay.statusCode(), replay.body());
        assertEquals("replayed", Json.parse(replay.body()).get("outcome").asText());
        Thread.sleep(500);
        assertEquals(1, deploymentsOf("gh"));

        // A branch: its own preview.
        git(work, "checkout", "-q", "-b", "feature/login");
        Files.writeString(work.resolve("index.html"), "<!doctype html><h1>login from github</h1>\n");
        git(work, "commit", "-q", "-am", "Add login");
        git(work, "push", "-q", "origin", "feature/login");
        String branchSha = git(work, "rev-parse", "HEAD");
        String branchPush = push("feature/login", branchSha, false);
        assertEquals(202, webhook("gh", branchPush, sign(secret, branchPush.getBytes(StandardCharsets.UTF_8)), "d-branch-1").statusCode());
        JsonNode preview = nextDeployment("gh", 1);
        assertEquals("SUCCEEDED", preview.get("status").asText(), preview.toString());
        assertEquals("preview:feature-login", preview.get("target").asText());
        awaitSite("feature-login--gh", "login from github");
        JsonNode branchHead = Json.parse(slipway.api().json("GET", "/apps/gh/commits?branch=feature/login", null).body()).get("commits").get(0);
        assertEquals("Builder Bot", branchHead.get("author").get("name").asText(), branchHead.toString());
        assertTrue(branchHead.get("message").asText().startsWith("Add login\n"), branchHead.toString());
        assertTrue(slipway.edge().site("gh", "/").text().contains("v1 from github"), "production stays");

        // The branch deleted on GitHub: its preview goes.
        String deletion = push("feature/login", "0".repeat(40), true);
        assertEquals(202, webhook("gh", deletion, sign(secret, deletion.getBytes(StandardCharsets.UTF_8)), "d-branch-2").statusCode());
        Instant deadline = Instant.now().plusSeconds(60);
        int status = 200;
        while (Instant.now().isBefore(deadline) && status != 404) {
            Thread.sleep(200);
            status = slipway.api().json("GET", "/apps/gh/previews/feature-login", null).statusCode();
        }
        assertEquals(404, status, "the deleted branch's preview is still there");
        assertTrue(slipway.api().json("GET", "/apps/gh/audit", null).body().contains("\"actor\":\"github:d-branch-2\""));
    }

    @Test
    void badSourcesAreRefusedAndWriteNothing() throws Exception {
        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"nosource\",\"name\":\"No source\"}").statusCode());
        String audit = slipway.api().json("GET", "/apps/nosource/audit", null).body();
        for (String body : List.of("{}", "{\"repository\":\"http://github.com/a/b\"}", "{\"repository\":\"https://user:pw@github.com/a/b\"}",
                "{\"repository\":\"git@github.com:a/b.git\"}", "{\"repository\":\"https://github.com/a/b\",\"branches\":{\"*\":\"production\"}}",
                "{\"repository\":\"https://github.com/a/b\",\"branches\":{\"main\":\"staging\"}}",
                "{\"repository\":\"https://github.com/a/b\",\"branches\":{\"../x\":\"preview\"}}",
                "{\"repository\":\"https://github.com/a/b\",\"token\":\"has space\"}",
                "{\"repository\":\"https://github.com/a/b\",\"extra\":true}")) {
            HttpResponse<String> r = slipway.api().send(slipway.api().request("PUT", "/apps/nosource/source",
                    body.getBytes(StandardCharsets.UTF_8), "application/json").build());
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
            assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        }
        HttpResponse<String> none = slipway.api().json("GET", "/apps/nosource/source", null);
        assertEquals(404, none.statusCode());
        assertEquals("urn:slipway:problem:source-not-found", Json.parse(none.body()).get("type").asText());
        assertEquals(audit, slipway.api().json("GET", "/apps/nosource/audit", null).body());
        // No source: its webhook is a 404, whatever it carries.
        assertEquals(404, webhook("nosource", "{}", "sha256=" + "0".repeat(64), "d-x").statusCode());
    }

    @Test
    void theTestOnlyLoopbackSwitchIsNeverSetByTheTemplate() throws Exception {
        SamTemplate template = SamTemplate.read(EmbeddedEngines.repoRoot().resolve("template.yaml"));
        for (SamTemplate.FunctionSpec f : template.functions()) {
            assertFalse(f.environment().containsKey("GIT_URL_LOOPBACK_FOR_TESTS"), f.logicalId());
        }
        assertFalse(Files.readString(EmbeddedEngines.repoRoot().resolve("template.yaml")).contains("GIT_URL_LOOPBACK_FOR_TESTS"));
    }
}
