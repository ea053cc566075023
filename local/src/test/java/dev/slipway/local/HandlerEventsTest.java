package dev.slipway.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the sample events in events/ through the handler classes template.yaml names, the way
 * Lambda would deliver them (deserialised by aws-lambda-java-tests), against real DynamoDB Local.
 */
class HandlerEventsTest {
    private static LocalFunctions functions;
    private static Map<String, String> functionByRoute;

    @BeforeAll
    static void start() throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        functions = engines.functions();
        functionByRoute = new HashMap<>();
        engines.template.routes().forEach(r -> functionByRoute.put(r.routeKey(), r.functionId()));
    }

    private static APIGatewayV2HTTPEvent load(String name) {
        return EventLoader.loadApiGatewayHttpEvent(EmbeddedEngines.repoRoot().resolve("events").resolve(name).toString());
    }

    private static APIGatewayV2HTTPResponse replay(APIGatewayV2HTTPEvent event) throws Throwable {
        String function = functionByRoute.get(event.getRouteKey());
        assertNotNull(function, "no function in template.yaml serves " + event.getRouteKey());
        return (APIGatewayV2HTTPResponse) functions.invoke(function, event);
    }

    @Test
    void everySampleEventNamesARouteOfTheTemplate() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(EmbeddedEngines.repoRoot().resolve("events"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 5);
        for (Path f : files) {
            APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent(f.toString());
            assertTrue(functionByRoute.containsKey(e.getRouteKey()), f + " names no route of template.yaml: " + e.getRouteKey());
        }
    }

    @Test
    void theAppsEventsTellOneStory() throws Throwable {
        // The engines are in memory and new for each test JVM, so event-shop does not exist yet.
        APIGatewayV2HTTPResponse created = replay(load("apps-create.json"));
        assertEquals(201, created.getStatusCode(), created.getBody());
        JsonNode app = Json.parse(created.getBody());
        assertEquals("event-shop", app.get("id").asText());
        assertEquals("dist", app.at("/build/outputDir").asText());
        assertEquals("/apps/event-shop", created.getHeaders().get("location"));

        APIGatewayV2HTTPResponse again = replay(load("apps-create.json"));
        assertEquals(409, again.getStatusCode());
        assertEquals("application/problem+json", again.getHeaders().get("content-type"));

        APIGatewayV2HTTPResponse got = replay(load("apps-get.json"));
        assertEquals(200, got.getStatusCode());
        assertEquals("Event Shop", Json.parse(got.getBody()).get("name").asText());

        APIGatewayV2HTTPResponse updated = replay(load("apps-update.json"));
        assertEquals(200, updated.getStatusCode(), updated.getBody());
        JsonNode u = Json.parse(updated.getBody());
        assertEquals("Event Shop (renamed)", u.get("name").asText());
        assertEquals("20", u.at("/build/nodeVersion").asText());
        assertEquals("dist", u.at("/build/outputDir").asText(), "a merge patch keeps fields it does not name");
        assertEquals(2, u.get("version").asInt());

        APIGatewayV2HTTPResponse list = replay(load("apps-list.json"));
        assertEquals(200, list.getStatusCode());
        boolean listed = false;
        for (JsonNode a : Json.parse(list.getBody()).get("apps")) {
            listed |= a.get("id").asText().equals("event-shop");
        }
        // limit=10 over a shared table may page; the cursor walk is covered in AppStoreTest.
        assertTrue(listed || Json.parse(list.getBody()).has("nextCursor"));
    }

    @Test
    void healthNeedsNoToken() throws Throwable {
        APIGatewayV2HTTPResponse r = replay(load("health.json"));
        assertEquals(200, r.getStatusCode());
        assertEquals("ok", Json.parse(r.getBody()).get("status").asText());
    }

    @Test
    void theAppsEventsWithoutTheTokenAre401() throws Throwable {
        for (String name : List.of("apps-create.json", "apps-list.json", "apps-get.json", "apps-update.json")) {
            APIGatewayV2HTTPEvent e = load(name);
            Map<String, String> headers = new HashMap<>(e.getHeaders());
            headers.remove("authorization");
            e.setHeaders(headers);
            APIGatewayV2HTTPResponse r = replay(e);
            assertEquals(401, r.getStatusCode(), name);
            assertEquals("urn:slipway:problem:unauthorized", Json.parse(r.getBody()).get("type").asText());
            headers.put("authorization", "Bearer slw_wrong");
            assertEquals(401, replay(e).getStatusCode(), name);
        }
    }

    @Test
    void theImportEventsTellOneStory() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409, "event-shop exists after apps-create: " + created);

        APIGatewayV2HTTPResponse imported = replay(load("imports-zip.json"));
        assertTrue(imported.getStatusCode() == 201 || imported.getStatusCode() == 200, imported.getBody());
        var body = Json.parse(imported.getBody());
        assertEquals("static", body.get("framework").asText());
        String sha = body.get("commit").asText();

        APIGatewayV2HTTPResponse commits = replay(load("commits-list.json"));
        assertEquals(200, commits.getStatusCode(), commits.getBody());
        assertEquals(sha, Json.parse(commits.getBody()).get("commits").get(0).get("sha").asText());

        APIGatewayV2HTTPEvent files = load("commit-files.json");
        assertEquals(404, replay(files).getStatusCode(), "the sample's sha is not in this repository");
        files.setPathParameters(Map.of("appId", "event-shop", "sha", sha));
        APIGatewayV2HTTPResponse listed = replay(files);
        assertEquals(200, listed.getStatusCode(), listed.getBody());
        assertTrue(listed.getBody().contains("\"about.html\""), listed.getBody());

        APIGatewayV2HTTPResponse upload = replay(load("uploads-create.json"));
        assertEquals(201, upload.getStatusCode(), upload.getBody());
        assertTrue(Json.parse(upload.getBody()).get("url").asText().contains("X-Amz-Signature="));

        // The sample's uploadId names no upload of this app: 404; the one just created has no file yet: 409.
        APIGatewayV2HTTPEvent importUpload = load("imports-upload.json");
        APIGatewayV2HTTPResponse unknown = replay(importUpload);
        assertEquals(404, unknown.getStatusCode(), unknown.getBody());
        importUpload.setBody("{\"uploadId\": \"" + Json.parse(upload.getBody()).get("uploadId").asText() + "\"}");
        APIGatewayV2HTTPResponse nothingUploaded = replay(importUpload);
        assertEquals(409, nothingUploaded.getStatusCode(), nothingUploaded.getBody());

        // Git reads the same history: protocol v2's capabilities, and the tree as a zip.
        APIGatewayV2HTTPResponse refs = replay(load("git-info-refs.json"));
        assertEquals(200, refs.getStatusCode(), refs.getBody());
        assertEquals("application/x-git-upload-pack-advertisement", refs.getHeaders().get("content-type"));
        assertTrue(new String(java.util.Base64.getDecoder().decode(refs.getBody())).contains("version 2"));
        APIGatewayV2HTTPResponse zip = replay(load("archive-zip.json"));
        assertEquals(200, zip.getStatusCode(), zip.getBody());
        assertEquals("application/zip", zip.getHeaders().get("content-type"));
        assertTrue(zip.getIsBase64Encoded());
        APIGatewayV2HTTPEvent noToken = load("git-info-refs.json");
        noToken.getHeaders().remove("authorization");
        APIGatewayV2HTTPResponse asked = replay(noToken);
        assertEquals(401, asked.getStatusCode());
        assertTrue(asked.getHeaders().get("www-authenticate").startsWith("Basic "));
    }

    /** A deployer token made by the admin may add a hook to its app, not list tokens; a webhook of an app without a source is 404. */
    @Test
    void theTokenHookAndWebhookEventsAnswerAsTheRolesSay() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409);
        APIGatewayV2HTTPResponse made = replay(load("tokens-create.json"));
        assertEquals(201, made.getStatusCode(), made.getBody());
        String secret = Json.parse(made.getBody()).get("token").asText();
        assertTrue(secret.startsWith("slwt_"), secret);
        APIGatewayV2HTTPResponse list = replay(load("tokens-list.json"));
        assertEquals(200, list.getStatusCode(), list.getBody());
        assertFalse(list.getBody().contains(secret), "a list never shows a secret");

        APIGatewayV2HTTPEvent hook = load("hooks-create.json");
        hook.setHeaders(new HashMap<>(hook.getHeaders()));
        hook.getHeaders().put("authorization", "Bearer " + secret);
        APIGatewayV2HTTPResponse h = replay(hook);
        assertEquals(201, h.getStatusCode(), h.getBody());
        assertTrue(h.getBody().contains("slwh_"), h.getBody());

        APIGatewayV2HTTPEvent asDeployer = load("tokens-list.json");
        asDeployer.setHeaders(new HashMap<>(asDeployer.getHeaders()));
        asDeployer.getHeaders().put("authorization", "Bearer " + secret);
        APIGatewayV2HTTPResponse refused = replay(asDeployer);
        assertEquals(403, refused.getStatusCode(), refused.getBody());

        // the tokens' own chain holds the token made above, verifies, and is for admins only
        APIGatewayV2HTTPResponse chain = replay(load("tokens-audit-verify.json"));
        assertEquals(200, chain.getStatusCode(), chain.getBody());
        assertTrue(Json.parse(chain.getBody()).get("valid").asBoolean(), chain.getBody());
        assertTrue(Json.parse(chain.getBody()).get("events").asLong() >= 1, chain.getBody());
        APIGatewayV2HTTPEvent chainAsDeployer = load("tokens-audit-verify.json");
        chainAsDeployer.setHeaders(new HashMap<>(chainAsDeployer.getHeaders()));
        chainAsDeployer.getHeaders().put("authorization", "Bearer " + secret);
        assertEquals(403, replay(chainAsDeployer).getStatusCode());

        APIGatewayV2HTTPResponse webhook = replay(load("webhooks-github-push.json"));
        assertEquals(404, webhook.getStatusCode(), webhook.getBody());
        assertTrue(webhook.getHeaders().getOrDefault("content-type", webhook.getHeaders().getOrDefault("Content-Type", ""))
                .startsWith("application/problem+json"), String.valueOf(webhook.getHeaders()));
    }

    @Test
    void theSessionAndConsoleEventsTellOneStory() throws Throwable {
        APIGatewayV2HTTPResponse signedIn = replay(load("session-create.json"));
        assertEquals(201, signedIn.getStatusCode(), signedIn.getBody());
        String cookie = signedIn.getCookies().get(0).split(";", 2)[0];
        assertTrue(signedIn.getCookies().get(0).contains("HttpOnly"), String.valueOf(signedIn.getCookies()));
        String csrf = Json.parse(signedIn.getBody()).get("csrfToken").asText();

        APIGatewayV2HTTPEvent show = load("session-get.json");
        show.setHeaders(new HashMap<>(show.getHeaders()));
        show.getHeaders().remove("authorization");
        show.setCookies(java.util.List.of(cookie));
        APIGatewayV2HTTPResponse shown = replay(show);
        assertEquals(200, shown.getStatusCode(), shown.getBody());
        assertEquals(csrf, Json.parse(shown.getBody()).get("csrfToken").asText());

        APIGatewayV2HTTPEvent out = load("session-delete.json");
        out.setHeaders(new HashMap<>(out.getHeaders()));
        out.getHeaders().remove("authorization");
        out.getHeaders().put("x-slipway-csrf", csrf);
        out.getHeaders().put("origin", "https://" + out.getHeaders().get("host"));
        out.setCookies(java.util.List.of(cookie));
        assertEquals(200, replay(out).getStatusCode());
        APIGatewayV2HTTPResponse gone = replay(show);
        assertEquals(200, gone.getStatusCode(), gone.getBody());
        assertFalse(Json.parse(gone.getBody()).get("signedIn").asBoolean(), gone.getBody());
        assertEquals(200, replay(load("session-delete.json")).getStatusCode(), "a Bearer caller has no session to end");

        APIGatewayV2HTTPResponse index = replay(load("console-index.json"));
        assertEquals(200, index.getStatusCode());
        assertTrue(index.getBody().contains("<div id=\"root\">"), index.getBody());
        assertEquals(200, replay(load("console-file.json")).getStatusCode());
    }

    @Test
    void theDeployEventsAnswerWithoutStartingAnything() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409);
        assertEquals(200, replay(load("deployments-list.json")).getStatusCode());
        // The sample ids name no deployment of this fresh table.
        APIGatewayV2HTTPResponse missing = replay(load("deployments-get.json"));
        assertEquals(404, missing.getStatusCode(), missing.getBody());
        assertEquals("urn:slipway:problem:deployment-not-found", Json.parse(missing.getBody()).get("type").asText());
        assertEquals(404, replay(load("deployment-logs.json")).getStatusCode());
        for (String lockfile : List.of("deployment-lockfile.json", "deployment-lockfile-commit.json")) {
            APIGatewayV2HTTPResponse none = replay(load(lockfile));
            assertEquals(404, none.getStatusCode(), lockfile + ": " + none.getBody());
            assertEquals("urn:slipway:problem:deployment-not-found", Json.parse(none.getBody()).get("type").asText());
        }
        // An app without commits has nothing to deploy: refused before any workflow starts.
        APIGatewayV2HTTPEvent start = load("deployments-create.json");
        APIGatewayV2HTTPEvent fresh = load("apps-create.json");
        fresh.setBody("{\"id\":\"event-empty\",\"name\":\"Empty\"}");
        int c = replay(fresh).getStatusCode();
        assertTrue(c == 201 || c == 409);
        start.setPathParameters(Map.of("appId", "event-empty"));
        start.setRawPath("/apps/event-empty/deployments");
        APIGatewayV2HTTPResponse nothing = replay(start);
        assertEquals(409, nothing.getStatusCode(), nothing.getBody());
        assertEquals("urn:slipway:problem:nothing-to-deploy", Json.parse(nothing.getBody()).get("type").asText());
    }

    @Test
    void thePreviewEventsAnswerWithoutStartingAnything() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409);
        assertEquals(200, replay(load("previews-list.json")).getStatusCode());
        // The sample preview does not exist in this fresh table: each names it as missing.
        for (String name : List.of("previews-get.json", "previews-update.json", "previews-delete.json", "previews-token.json", "previews-promote.json")) {
            APIGatewayV2HTTPResponse r = replay(load(name));
            assertEquals(404, r.getStatusCode(), name + ": " + r.getBody());
            assertEquals("urn:slipway:problem:preview-not-found", Json.parse(r.getBody()).get("type").asText(), name);
        }
        // An app without commits has no ref to preview: refused before anything is written.
        APIGatewayV2HTTPEvent start = load("previews-create.json");
        APIGatewayV2HTTPEvent fresh = load("apps-create.json");
        fresh.setBody("{\"id\":\"event-empty\",\"name\":\"Empty\"}");
        int c = replay(fresh).getStatusCode();
        assertTrue(c == 201 || c == 409);
        start.setPathParameters(Map.of("appId", "event-empty"));
        start.setRawPath("/apps/event-empty/previews");
        APIGatewayV2HTTPResponse nothing = replay(start);
        assertEquals(409, nothing.getStatusCode(), nothing.getBody());
        assertEquals("urn:slipway:problem:nothing-to-deploy", Json.parse(nothing.getBody()).get("type").asText());
        start.setPathParameters(Map.of("appId", "event-empty"));
        assertEquals(404, replay(load("previews-get.json")).getStatusCode());
    }

    @Test
    void theDeployStepEventsReachTheirHandler() throws Throwable {
        // The state machine's task input, as Step Functions delivers it: a JSON object.
        Map<?, ?> resolve = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/deploy-steps/resolve-ref.json").toFile(), Map.class);
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> functions.invoke("DeployStepsFunction", resolve));
        assertEquals("dev.slipway.shared.deploy.StepFailedException", t.getClass().getName(), String.valueOf(t));
        assertTrue(t.getMessage().contains("does not exist"), t.getMessage());
        // MarkFailed of an unknown deployment is a no-op that still answers (the Catch path never fails on it).
        Map<?, ?> failed = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/deploy-steps/mark-failed.json").toFile(), Map.class);
        Object out = functions.invoke("DeployStepsFunction", failed);
        assertEquals("FAILED", ((Map<?, ?>) out).get("status"));
        // ApplyMigrations (the data function) of an unknown deployment fails for good, like the other steps
        Map<?, ?> migrate = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/deploy-steps/apply-migrations.json").toFile(), Map.class);
        Throwable m = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> functions.invoke("DeployMigrationsFunction", migrate));
        assertEquals("dev.slipway.shared.deploy.StepFailedException", m.getClass().getName(), String.valueOf(m));
        assertTrue(m.getMessage().contains("does not exist"), m.getMessage());
    }

    @Test
    void theReleaseEventsTellOneStory() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409, "event-shop exists after apps-create: " + created);

        APIGatewayV2HTTPResponse release = replay(load("releases-create.json"));
        assertEquals(201, release.getStatusCode(), release.getBody());
        var body = Json.parse(release.getBody());
        assertEquals("STAGED", body.get("status").asText());
        assertEquals(2, body.get("required").size(), release.getBody());
        assertTrue(body.get("uploads").get(0).get("url").asText().contains("X-Amz-Signature="));

        APIGatewayV2HTTPEvent page = load("releases-uploads.json");
        assertEquals(404, replay(page).getStatusCode(), "the sample's release id does not exist here");
        page.setPathParameters(Map.of("appId", "event-shop", "releaseId", body.get("releaseId").asText()));
        APIGatewayV2HTTPResponse urls = replay(page);
        assertEquals(200, urls.getStatusCode(), urls.getBody());
        assertEquals(2, Json.parse(urls.getBody()).get("uploads").size(), urls.getBody());

        APIGatewayV2HTTPEvent finalize = load("releases-finalize.json");
        assertEquals(404, replay(finalize).getStatusCode(), "the sample's release id does not exist here");
        finalize.setPathParameters(Map.of("appId", "event-shop", "releaseId", body.get("releaseId").asText()));
        APIGatewayV2HTTPResponse nothingUploaded = replay(finalize);
        assertEquals(409, nothingUploaded.getStatusCode(), nothingUploaded.getBody());
        assertEquals("urn:slipway:problem:release-files-missing", Json.parse(nothingUploaded.getBody()).get("type").asText());

        // a static release has no server log: an empty page
        APIGatewayV2HTTPEvent logs = load("releases-logs.json");
        assertEquals(404, replay(logs).getStatusCode(), "the sample's release id does not exist here");
        logs.setPathParameters(Map.of("appId", "event-shop", "releaseId", body.get("releaseId").asText()));
        APIGatewayV2HTTPResponse none = replay(logs);
        assertEquals(200, none.getStatusCode(), none.getBody());
        assertFalse(Json.parse(none.getBody()).get("server").asBoolean(), none.getBody());
        assertEquals(0, Json.parse(none.getBody()).get("lines").size(), none.getBody());
    }

    @Test
    void theAuditEventsTellOneStory() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409, "event-shop exists after apps-create: " + created);

        APIGatewayV2HTTPResponse listed = replay(load("audit-list.json"));
        assertEquals(200, listed.getStatusCode(), listed.getBody());
        JsonNode first = Json.parse(listed.getBody()).get("events").get(0);
        assertEquals(1, first.get("seq").asLong());
        assertEquals("app.created", first.get("action").asText());

        APIGatewayV2HTTPResponse verified = replay(load("audit-verify.json"));
        assertEquals(200, verified.getStatusCode(), verified.getBody());
        assertTrue(Json.parse(verified.getBody()).get("valid").asBoolean(), verified.getBody());

        APIGatewayV2HTTPResponse exported = replay(load("audit-export.json"));
        assertEquals(200, exported.getStatusCode(), exported.getBody());
        assertTrue(Json.parse(exported.getBody()).get("exportedSeq").asLong() >= 1, exported.getBody());

        APIGatewayV2HTTPResponse exports = replay(load("audit-exports-verify.json"));
        assertEquals(200, exports.getStatusCode(), exports.getBody());
        assertTrue(Json.parse(exports.getBody()).get("valid").asBoolean(), exports.getBody());
    }

    @Test
    void theEnvironmentEventsTellOneStory() throws Throwable {
        int created = replay(load("apps-create.json")).getStatusCode();
        assertTrue(created == 201 || created == 409, "event-shop exists after apps-create: " + created);

        APIGatewayV2HTTPResponse changed = replay(load("environment-change.json"));
        assertEquals(200, changed.getStatusCode(), changed.getBody());
        assertFalse(changed.getBody().contains("sk_test_sample"), "an answer never holds a value");
        APIGatewayV2HTTPResponse listed = replay(load("environment-list.json"));
        assertEquals(200, listed.getStatusCode(), listed.getBody());
        JsonNode vars = Json.parse(listed.getBody()).get("variables");
        assertEquals("STRIPE_SECRET_KEY", vars.get(0).get("name").asText());
        assertEquals("[\"production\"]", vars.get(0).get("scopes").toString());
        assertEquals("[\"production\",\"preview\"]", vars.get(1).get("scopes").toString());
    }

    @Test
    void theCleanupEventsRunTheCleanup() throws Throwable {
        APIGatewayV2HTTPResponse now = replay(load("cleanup-run.json"));
        assertEquals(200, now.getStatusCode(), now.getBody());
        assertTrue(Json.parse(now.getBody()).has("releasesRemoved"), now.getBody());
        // The schedule's input, as EventBridge Scheduler delivers it, through the scheduled entry point.
        Map<?, ?> scheduled = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/cleanup/scheduled.json").toFile(), Map.class);
        Object out = functions.invoke("ScheduledCleanupFunction", scheduled);
        assertEquals(Boolean.TRUE, ((Map<?, ?>) out).get("complete"), String.valueOf(out));
    }

    @Test
    void theDataEventsReachTheirHandlers() throws Throwable {
        // event-shop has no linked database: no link to show, no backup to start, an empty list
        for (String name : List.of("database-get.json", "backups-start.json", "database-move.json")) {
            APIGatewayV2HTTPResponse r = replay(load(name));
            assertTrue(r.getStatusCode() == 404, name + ": " + r.getBody());
        }
        // a move to the stack's database where the stack has none (CreateDatabase off, as these functions' environment is)
        APIGatewayV2HTTPResponse toStack = replay(load("database-move-stack.json"));
        assertEquals(409, toStack.getStatusCode(), toStack.getBody());
        assertEquals("urn:slipway:problem:stack-database-not-enabled", Json.parse(toStack.getBody()).get("type").asText());
        // no such move: its page and a switch to it are 404 move-not-found
        for (String name : List.of("database-move-get.json", "database-switch.json")) {
            APIGatewayV2HTTPResponse r = replay(load(name));
            assertEquals(404, r.getStatusCode(), name + ": " + r.getBody());
            assertEquals("urn:slipway:problem:move-not-found", Json.parse(r.getBody()).get("type").asText(), name);
        }
        APIGatewayV2HTTPResponse list = replay(load("backups-list.json"));
        assertEquals(200, list.getStatusCode(), list.getBody());
        Map<?, ?> scheduled = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/data-schedule/scheduled.json").toFile(), Map.class);
        Object out = functions.invoke("DataScheduleFunction", scheduled);
        assertTrue(((Map<?, ?>) out).containsKey("started"), String.valueOf(out));
        // a preview's removal asks for its app's removed previews' databases: none here
        Map<?, ?> previews = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/data-schedule/preview-databases.json").toFile(), Map.class);
        assertEquals(0, ((Map<?, ?>) functions.invoke("DataScheduleFunction", previews)).get("previewDatabasesDropped"));
        APIGatewayV2HTTPResponse policy = replay(load("database-preview-policy.json"));
        assertEquals(200, policy.getStatusCode(), policy.getBody());
        assertEquals("none", Json.parse(policy.getBody()).path("mode").asText(), policy.getBody());
        // a step for a backup that does not exist fails (the state machine's Catch would mark it)
        Map<?, ?> verify = Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/data-steps/verify.json").toFile(), Map.class);
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> functions.invoke("DataStepsFunction", verify));
        assertTrue(String.valueOf(e.getMessage()).contains("01JZZZZZZZZZZZZZZZZZZZZZZZ"), String.valueOf(e));
    }
}
