package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 50 concurrent calls on one app through `slipway up`, mixing deployments of READY releases
 * (deploy-promote), rollbacks, promotes and unpins. Every call and its answer is recorded; then
 * every version of the production alias must be explained by exactly one successful call and
 * exactly one audit event, the alias ends at the last move, the edge serves it, and the audit
 * chain verifies.
 */
class ProductionHistoryTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05).build();
    private static ProductionFixture f;
    private static final String APP = "history";

    @BeforeAll
    static void up() throws Exception {
        f = new ProductionFixture(slipway);
        assertEquals(201, f.api("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"History\"}").statusCode());
    }

    /** One call and what it got: for a deployment its final record, for the API its status and body. */
    record Call(int n, String kind, String releaseId, int status, JsonNode answer) {
    }

    @Test
    void everyMoveIsExplainedByOneSuccessfulCallAndOneAuditEvent() throws Exception {
        List<String> releases = new ArrayList<>();
        Map<String, String> headline = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            String id = f.ready(APP, "Release " + i);
            releases.add(id);
            headline.put(id, "Release " + i);
        }
        JsonNode first = f.deploy(APP, releases.get(0));
        assertEquals("SUCCEEDED", first.path("status").asText(), first.toString());

        Random random = new Random(42);
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            int kind = random.nextInt(100);
            String target = releases.get(random.nextInt(releases.size()));
            boolean explicit = random.nextBoolean();
            long delay = random.nextInt(4000); // spread over a few seconds, so API calls meet running deployments
            futures.add(pool.submit(() -> {
                Thread.sleep(delay);
                if (kind < 40) {
                    HttpResponse<String> r = f.api("POST", "/apps/" + APP + "/deployments", "{\"releaseId\":\"" + target + "\"}");
                    if (r.statusCode() != 202) { // lost the audit head to the other calls: refused, nothing started
                        calls.add(new Call(n, "deploy", target, r.statusCode(), Json.parse(r.body())));
                        return null;
                    }
                    JsonNode d = f.await(APP, Json.parse(r.body()).path("deploymentId").asText());
                    calls.add(new Call(n, "deploy", target, 202, d));
                } else if (kind < 60) {
                    HttpResponse<String> r = f.api("POST", "/apps/" + APP + "/rollback",
                            explicit ? "{\"releaseId\":\"" + target + "\",\"reason\":\"call " + n + "\"}" : "{\"reason\":\"call " + n + "\"}");
                    calls.add(new Call(n, "rollback", explicit ? target : null, r.statusCode(), Json.parse(r.body())));
                } else if (kind < 85) {
                    HttpResponse<String> r = f.api("POST", "/apps/" + APP + "/promote", "{\"releaseId\":\"" + target + "\"}");
                    calls.add(new Call(n, "promote", target, r.statusCode(), Json.parse(r.body())));
                } else {
                    HttpResponse<String> r = f.api("POST", "/apps/" + APP + "/unpin", null);
                    calls.add(new Call(n, "unpin", null, r.statusCode(), Json.parse(r.body())));
                }
                return null;
            }));
        }
        for (Future<?> fu : futures) {
            fu.get();
        }
        pool.shutdown();
        assertEquals(50, calls.size());

        // Every call ended: the API with 200 or a 409 conflict problem, deployments SUCCEEDED or FAILED.
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        for (Call c : calls) {
            String outcome;
            if (c.kind().equals("deploy") && c.status() == 202) {
                String status = c.answer().path("status").asText();
                assertTrue(Set.of("SUCCEEDED", "FAILED").contains(status), c.toString());
                outcome = status + (status.equals("SUCCEEDED") ? (c.answer().path("promoted").asBoolean() ? " promoted" : " staged (pinned)") : "");
            } else if (c.status() == 200) {
                outcome = "200";
            } else {
                assertEquals(409, c.status(), c.toString());
                String type = c.answer().path("type").asText();
                assertTrue(type.endsWith(":concurrent-modification") || type.endsWith(":nothing-to-roll-back"), c.toString());
                outcome = "409 " + type.substring(type.lastIndexOf(':') + 1);
            }
            outcomes.merge(c.kind() + " " + outcome, 1L, Long::sum);
        }
        System.out.println("production history: " + outcomes);

        // The alias's history: versions 1..N, each claimed by exactly one successful call.
        List<AliasVersion> moves = new ArrayList<>(f.store.aliases().history(APP, Alias.PRODUCTION, 1000));
        Collections.reverse(moves);
        for (int i = 0; i < moves.size(); i++) {
            assertEquals(i + 1, moves.get(i).version(), "versions are contiguous");
        }
        Map<Long, Call> claimed = new HashMap<>();
        for (Call c : calls) {
            Long version = null;
            if (c.kind().equals("deploy")) {
                if (c.status() == 202 && c.answer().path("promoted").asBoolean(false)) {
                    String id = c.answer().path("deploymentId").asText();
                    List<AliasVersion> mine = moves.stream().filter(m -> id.equals(m.deploymentId())
                            && m.action().equals("alias.moved")).toList();
                    assertEquals(1, mine.size(), "deployment " + id + " moved production once");
                    version = mine.get(0).version();
                    assertEquals(c.releaseId(), mine.get(0).releaseId());
                }
            } else if (c.status() == 200) {
                version = c.answer().path("aliasVersion").asLong();
                AliasVersion m = moves.get((int) (long) version - 1);
                assertEquals(c.kind(), m.action(), c.toString());
                assertEquals(c.answer().path("current").asText(), m.releaseId());
                if (c.releaseId() != null) {
                    assertEquals(c.releaseId(), m.releaseId());
                }
            }
            if (version != null) {
                assertEquals(null, claimed.put(version, c), "version " + version + " claimed twice");
            }
        }
        // Version 1 is the first deployment; every later version is one of the 50 calls.
        assertEquals(moves.size() - 1, claimed.size(), "every move after the first is explained by a call: " + claimed.keySet());
        assertTrue(moves.size() > 5, "the calls moved production: " + moves.size());

        // Each move has exactly one audit event, and each alias event is one move.
        List<AuditEvent> events = f.ledger.events(APP, 0, 10_000);
        List<AuditEvent> aliasEvents = events.stream().filter(e -> e.target().equals("alias/production")).toList();
        assertEquals(moves.size(), aliasEvents.size());
        Map<Long, AuditEvent> bySeq = events.stream().collect(Collectors.toMap(AuditEvent::seq, e -> e));
        for (AliasVersion m : moves) {
            AuditEvent e = bySeq.get(m.auditSeq());
            assertNotNull(e, "move " + m.version() + " has its audit event");
            assertEquals(m.action(), e.action());
            assertEquals(m.version(), e.after().path("version").asLong());
            assertEquals(m.releaseId(), e.after().path("releaseId").asText());
        }

        // The alias is the last move, and the edge serves it.
        Alias alias = f.store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        AliasVersion last = moves.get(moves.size() - 1);
        assertEquals(last.version(), alias.version());
        assertEquals(last.releaseId(), alias.releaseId());
        // (a deployment's router call may still be finishing when its SUCCEEDED was read)
        dev.slipway.local.edge.EdgeClient.awaitProduction(f.runtime.edge().port(), APP, alias.releaseId());
        assertTrue(f.edge(APP).contains(headline.get(alias.releaseId())), "the edge serves " + alias.releaseId());
        assertTrue(f.ledger.verify(APP).valid(), f.ledger.verify(APP).toString());
    }
}
