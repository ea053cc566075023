package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.slipway.local.production.ProductionFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollback through `slipway up`: two deployments, a rollback that the edge serves as soon as it
 * answers, a pinned production that a third deployment stages without moving, promote, unpin, and
 * the refusals (not READY, unknown, files gone, nothing to roll back) that change nothing.
 */
class RollbackTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05).build();
    private static ProductionFixture f;
    private static final String APP = "rollback";

    @BeforeAll
    static void up() throws Exception {
        f = new ProductionFixture(slipway);
        assertEquals(201, f.api("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Rollback\"}").statusCode());
    }

    @Test
    void rollbackPinsPromoteMovesAndRefusalsChangeNothing() throws Exception {
        String a = f.ready(APP, "Edition A");
        String b = f.ready(APP, "Edition B");
        assertEquals("SUCCEEDED", f.deploy(APP, a).path("status").asText());
        JsonNode db = f.deploy(APP, b);
        assertEquals("SUCCEEDED", db.path("status").asText(), db.toString());
        assertTrue(db.path("promoted").asBoolean(), db.toString());
        assertTrue(f.edge(APP).contains("Edition B"));

        // History: newest first, with the alias names and who deployed.
        JsonNode history = Json.parse(f.api("GET", "/apps/" + APP + "/releases?limit=1", null).body());
        assertEquals(1, history.path("releases").size(), history.toString());
        JsonNode newest = history.path("releases").get(0);
        assertEquals(b, newest.path("id").asText());
        assertEquals(List.of("production"), List.of(newest.path("aliases").get(0).asText()));
        assertEquals("admin", newest.path("deployedBy").asText());
        assertEquals("READY", newest.path("status").asText());
        assertEquals(2, newest.path("files").asInt());
        assertTrue(newest.path("bytes").asLong() > 0 && newest.has("message") && newest.has("commit") && newest.has("createdAt"));
        JsonNode page2 = Json.parse(f.api("GET", "/apps/" + APP + "/releases?limit=1&cursor=" + history.path("nextCursor").asText(), null).body());
        assertEquals(a, page2.path("releases").get(0).path("id").asText(), page2.toString());
        assertEquals(0, page2.path("releases").get(0).path("aliases").size());
        JsonNode one = Json.parse(f.api("GET", "/apps/" + APP + "/releases/" + b, null).body());
        assertEquals("production", one.path("aliases").get(0).asText(), one.toString());
        assertEquals("admin", one.path("deployedBy").asText());

        // Rollback (default: the release before the current one); the edge serves it on the answer.
        HttpResponse<String> rb = f.api("POST", "/apps/" + APP + "/rollback", "{\"reason\":\"B breaks checkout\"}");
        assertEquals(200, rb.statusCode(), rb.body());
        JsonNode rolled = Json.parse(rb.body());
        assertEquals(b, rolled.path("previous").asText());
        assertEquals(a, rolled.path("current").asText());
        assertTrue(rolled.path("tookMs").isIntegralNumber() && rolled.path("tookMs").asLong() >= 0, rolled.toString());
        assertTrue(f.edge(APP).contains("Edition A"), "the edge serves A right after the rollback answered");
        JsonNode prod = Json.parse(f.api("GET", "/apps/" + APP, null).body()).path("production");
        assertEquals(a, prod.path("releaseId").asText());
        assertTrue(prod.path("pinned").asBoolean(), prod.toString());
        AuditEvent rollbackEvent = events().stream().filter(e -> e.action().equals("rollback")).findFirst().orElseThrow();
        assertEquals("B breaks checkout", rollbackEvent.after().path("reason").asText());
        assertEquals(b, rollbackEvent.before().path("releaseId").asText());

        // Pinned: a new deployment stages and verifies C, production stays at A.
        String c = f.ready(APP, "Edition C");
        JsonNode dc = f.deploy(APP, c);
        assertEquals("SUCCEEDED", dc.path("status").asText(), dc.toString());
        assertFalse(dc.path("promoted").asBoolean(true), dc.toString());
        assertTrue(dc.path("note").asText().contains("staged, production pinned"), dc.toString());
        assertTrue(dc.toString().contains("staged, production pinned"));
        assertTrue(f.edge(APP).contains("Edition A"));
        assertTrue(f.edge(c + "--" + APP).contains("Edition C"), "C answers at its own URL");
        assertEquals(a, f.store.aliases().get(APP, Alias.PRODUCTION).orElseThrow().releaseId());

        // Promote C (no rebuild): production moves, the pin stays; then unpin.
        HttpResponse<String> pr = f.api("POST", "/apps/" + APP + "/promote", "{\"releaseId\":\"" + c + "\"}");
        assertEquals(200, pr.statusCode(), pr.body());
        assertEquals(a, Json.parse(pr.body()).path("previous").asText());
        assertEquals(c, Json.parse(pr.body()).path("current").asText());
        assertTrue(f.edge(APP).contains("Edition C"));
        HttpResponse<String> unpin = f.api("POST", "/apps/" + APP + "/unpin", null);
        assertEquals(200, unpin.statusCode(), unpin.body());
        assertFalse(Json.parse(f.api("GET", "/apps/" + APP, null).body()).path("production").path("pinned").asBoolean(true));

        // Refusals: nothing changes.
        Alias before = f.store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        int eventsBefore = events().size();
        String staged = f.stage(APP, ProductionFixture.site("never finalized")).path("releaseId").asText();
        assertProblem(f.api("POST", "/apps/" + APP + "/rollback", "{\"releaseId\":\"" + staged + "\"}"), 409, "release-not-ready");
        assertProblem(f.api("POST", "/apps/" + APP + "/rollback", "{\"releaseId\":\"01kb0x3m5n7q8r9s0t1v2w3x4y\"}"), 404, "release-not-found");
        assertProblem(f.api("POST", "/apps/" + APP + "/rollback", "{\"releaseId\":\"nope\"}"), 404, "release-not-found");
        f.s3.deleteObject(r -> r.bucket(f.bucket).key(SiteKeys.manifest(APP, a)));
        assertProblem(f.api("POST", "/apps/" + APP + "/rollback", "{\"releaseId\":\"" + a + "\"}"), 409, "release-files-gone");
        assertProblem(f.api("POST", "/apps/" + APP + "/promote", "{\"releaseId\":\"" + a + "\"}"), 409, "release-files-gone");
        assertProblem(f.api("POST", "/apps/" + APP + "/promote", "{}"), 400, "validation-failed");
        assertProblem(f.api("POST", "/apps/" + APP + "/rollback", "{\"to\":\"x\"}"), 400, "unknown-field");
        assertProblem(f.api("POST", "/apps/nope/rollback", null), 404, "app-not-found");
        assertEquals(before, f.store.aliases().get(APP, Alias.PRODUCTION).orElseThrow());
        assertEquals(eventsBefore, events().size(), "a refusal writes no audit event");
        assertTrue(f.edge(APP).contains("Edition C"));
        assertEquals(201, f.api("POST", "/apps", "{\"id\":\"fresh\",\"name\":\"Fresh\"}").statusCode());
        assertProblem(f.api("POST", "/apps/fresh/rollback", null), 409, "nothing-to-roll-back");

        // Unpinned again: a deployment moves production.
        JsonNode again = f.deploy(APP, b);
        assertTrue(again.path("promoted").asBoolean(), again.toString());
        assertTrue(f.edge(APP).contains("Edition B"));

        // Every alias version has its history item and exactly one audit event.
        List<AliasVersion> moves = f.store.aliases().history(APP, Alias.PRODUCTION, 100);
        assertEquals(List.of("alias.moved", "unpin", "promote", "rollback", "alias.moved", "alias.moved"),
                moves.stream().map(AliasVersion::action).toList());
        for (AliasVersion m : moves) {
            AuditEvent e = events().stream().filter(x -> x.seq() == m.auditSeq()).findFirst().orElseThrow();
            assertEquals(m.action(), e.action());
            assertEquals(m.version(), e.after().path("version").asLong());
        }
        assertNull(moves.get(moves.size() - 1).previousReleaseId());
        assertTrue(f.ledger.verify(APP).valid());
    }

    private static List<AuditEvent> events() {
        return f.ledger.events(APP, 0, 1000);
    }
}
