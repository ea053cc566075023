package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stores' own conditions, the same for every set: run on the in-memory set in this module and
 * on the DynamoDB set in the local module. Each test uses its own app.
 */
public abstract class DeployStoresContract {
    static final Actor ACTOR = new Actor(Actor.ADMIN, "req-1", "127.0.0.1");

    protected abstract DeployStores stores();

    protected abstract List<AuditEvent> events(String appId);

    protected String app;
    protected DeployStores stores;

    @BeforeEach
    void newApp() {
        stores = stores();
        app = "stores-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36);
    }

    @Test
    void aReleaseBecomesReadyOnceWithItsBuildPointerAndSweepCandidate() {
        Release r = staged();
        stores.releases().putStaged(r); // a retried stage
        Release ready = r.ready(3, 42, Instant.now());
        assertTrue(stores.releases().markReady(ready, event("release.ready")));
        assertFalse(stores.releases().markReady(ready, event("release.ready")), "a repeat changes nothing");

        assertEquals(ReleaseStatus.READY, stores.releases().get(app, r.id()).orElseThrow().status());
        assertEquals(r.id(), stores.releases().readyReleaseFor(app, r.buildKey()).orElseThrow().id());
        assertEquals(WriteConflict.Part.RELEASE, assertThrows(WriteConflict.class, () -> stores.releases().putStaged(r)).part());
        stores.releases().markFailed(r);
        assertEquals(ReleaseStatus.READY, stores.releases().get(app, r.id()).orElseThrow().status(), "a READY release is never failed");
        assertEquals(1, events(app).stream().filter(e -> e.action().equals("release.ready")).count());
        SweepQueue.SweepItem sweep = stores.sweeps().find(app, r.id()).orElseThrow();
        assertEquals(ready.readyAt().plus(ReleaseStore.UNSERVED_GRACE).toEpochMilli(), sweep.dueAt());
        assertEquals("ready, never served", sweep.reason());
    }

    @Test
    void aReleaseKeepsItsServerBundleThroughEveryStatus() {
        ServerBundle bundle = new ServerBundle(ServerBundle.NEXT, 20, "server.js", "ab".repeat(32), 1234, 5678);
        Release r = new Release(app, id(), "c0ffee", "7ree", "key-" + System.nanoTime(), "build", ReleaseStatus.STAGED, 0, 0,
                Instant.now(), null, null).withServer(bundle);
        stores.releases().putStaged(r);
        assertEquals(bundle, stores.releases().get(app, r.id()).orElseThrow().server());
        assertTrue(stores.releases().markReady(r.ready(3, 42, Instant.now()), event("release.ready")));
        Release ready = stores.releases().get(app, r.id()).orElseThrow();
        assertEquals(bundle, ready.server());
        assertEquals(bundle, stores.releases().readyReleaseFor(app, r.buildKey()).orElseThrow().server());
        assertNull(staged().server(), "a static release has no server");
    }

    @Test
    void aChangeWhoseAuditHeadMovedWritesNothing() {
        Release r = staged();
        AuditEvent stale = event("release.ready");
        event("other.change", true); // another writer takes the head

        WriteConflict e = assertThrows(WriteConflict.class, () -> stores.releases().markReady(r.ready(1, 1, Instant.now()), stale));

        assertEquals(WriteConflict.Part.AUDIT_HEAD, e.part());
        assertEquals(ReleaseStatus.STAGED, stores.releases().get(app, r.id()).orElseThrow().status());
        assertTrue(stores.releases().readyReleaseFor(app, r.buildKey()).isEmpty());
        assertTrue(stores.sweeps().find(app, r.id()).isEmpty(), "all or nothing");
    }

    @Test
    void theRemovalMovesStatusByStatus() {
        Release r = staged();
        Release ready = r.ready(1, 1, Instant.now());
        stores.releases().markReady(ready, event("release.ready"));
        assertEquals(WriteConflict.Part.RELEASE, assertThrows(WriteConflict.class,
                () -> stores.releases().startRemoval(ready.withStatus(ReleaseStatus.DELETING), event("release.removed"))).part());
        assertTrue(stores.releases().changeStatus(ready.withStatus(ReleaseStatus.RETIRING), ReleaseStatus.READY));
        assertFalse(stores.releases().changeStatus(ready.withStatus(ReleaseStatus.RETIRING), ReleaseStatus.READY), "no longer READY");
        stores.releases().markFailed(ready);
        assertEquals(ReleaseStatus.RETIRING, stores.releases().get(app, r.id()).orElseThrow().status(), "a release being removed is never failed");

        stores.releases().startRemoval(ready.withStatus(ReleaseStatus.DELETING), event("release.removed"));
        stores.releases().forgetBuild(app, r.buildKey(), "another-release");
        assertTrue(stores.releases().get(app, r.id()).isPresent());
        stores.releases().forgetBuild(app, r.buildKey(), r.id());
        stores.releases().finishRemoval(ready.withStatus(ReleaseStatus.DELETED));

        assertEquals(ReleaseStatus.DELETED, stores.releases().get(app, r.id()).orElseThrow().status());
        assertTrue(stores.sweeps().find(app, r.id()).isEmpty(), "the candidate goes with the removal");
        assertTrue(stores.releases().readyReleaseFor(app, r.buildKey()).isEmpty());
        assertEquals(WriteConflict.Part.RELEASE, assertThrows(WriteConflict.class,
                () -> stores.releases().finishRemoval(ready.withStatus(ReleaseStatus.DELETED))).part());
    }

    @Test
    void theSweepQueueIsPagedInDueOrderAndChangesOnlyWhatWasRead() {
        // Due long ago, so that no other test's candidates (due now or later) are in these pages.
        long base = ThreadLocalRandom.current().nextLong(1_000_000, 2_000_000_000L);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(id());
            stores.sweeps().put(app, ids.get(i), Instant.ofEpochMilli(base + 10L * (5 - i)), "test " + i);
        }
        List<SweepQueue.DueSweep> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            SweepQueue.DuePage page = stores.sweeps().due(Instant.ofEpochMilli(base + 100), 2, cursor);
            page.items().stream().filter(d -> d.appId().equals(app)).forEach(seen::add);
            cursor = page.next();
            pages++;
        } while (cursor != null && pages < 100);
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)),
                seen.stream().map(SweepQueue.DueSweep::releaseId).toList(), "oldest first, each once");

        SweepQueue.SweepItem item = stores.sweeps().find(app, ids.get(0)).orElseThrow();
        assertEquals("test 0", item.reason());
        assertTrue(stores.sweeps().reschedule(item, Instant.ofEpochMilli(base + 1000), "later"));
        assertFalse(stores.sweeps().reschedule(item, Instant.ofEpochMilli(base + 2000), "stale"), "someone re-asked since it was read");
        assertFalse(stores.sweeps().drop(item));
        assertTrue(stores.sweeps().drop(stores.sweeps().find(app, ids.get(0)).orElseThrow()));
        assertTrue(stores.sweeps().find(app, ids.get(0)).isEmpty());
    }

    @Test
    void deploymentsAreCreatedOnceAndFinishedByVersion() {
        List<Deployment> all = new ArrayList<>();
        Instant started = Instant.now();
        for (int i = 0; i < 3; i++) {
            // One millisecond apart: ULIDs of the same millisecond have no order, and "newest first" needs one.
            String id = Ulid.next(started.plusMillis(i)).toLowerCase(Locale.ROOT);
            Deployment d = new Deployment(app, id, "main", DeployTarget.PRODUCTION, Deployment.Status.RUNNING, "c0ffee", "7ree", null, null,
                    null, null, ACTOR.id(), Instant.now(), null, 1);
            stores.deployments().create(d, event("deployment.started"));
            all.add(d);
        }
        Deployment first = all.get(0);
        assertEquals(WriteConflict.Part.ITEM, assertThrows(WriteConflict.class,
                () -> stores.deployments().create(first, event("deployment.started"))).part());
        Deployment moved = stores.deployments().update(app, first.id(), x -> x.withStepStarted("ResolveRef", Instant.now()));
        assertEquals(2, moved.version());
        assertEquals(WriteConflict.Part.ITEM, assertThrows(WriteConflict.class, () -> stores.deployments().finish(
                first.failed("x", Instant.now()), first.version(), event("deployment.failed"))).part(), "a stale version");
        stores.deployments().finish(moved.failed("x", Instant.now()), moved.version(), event("deployment.failed"));
        assertEquals(Deployment.Status.FAILED, stores.deployments().get(app, first.id()).orElseThrow().status());

        DeploymentStore.DeploymentPage page1 = stores.deployments().page(app, 2, null);
        assertEquals(List.of(all.get(2).id(), all.get(1).id()), page1.items().stream().map(Deployment::id).toList(), "newest first");
        DeploymentStore.DeploymentPage page2 = stores.deployments().page(app, 2, page1.next());
        assertEquals(List.of(first.id()), page2.items().stream().map(Deployment::id).toList());
        assertEquals(3, stores.deployments().since(app, Instant.now().minus(Duration.ofMinutes(5))).size());
        assertEquals(List.of("deployment.started", "deployment.started", "deployment.started", "deployment.failed"),
                events(app).stream().map(AuditEvent::action).toList(), "no event without its change");
    }

    @Test
    void previewsChangeByVersionAndArePagedByName() {
        Instant now = Instant.now();
        for (String name : List.of("b", "a", "c")) {
            stores.previews().put(preview(name, now.plusSeconds(60), 1), 0, event("preview.created"));
        }
        assertEquals(WriteConflict.Part.ITEM, assertThrows(WriteConflict.class,
                () -> stores.previews().put(preview("a", now, 1), 0, event("preview.created"))).part());
        assertEquals(WriteConflict.Part.ITEM, assertThrows(WriteConflict.class,
                () -> stores.previews().put(preview("a", now, 3), 2, event("preview.updated"))).part());
        stores.previews().put(preview("a", now.minusSeconds(60), 2), 1, event("preview.updated"));
        assertEquals(2, stores.previews().get(app, "a").orElseThrow().version());

        PreviewStore.PreviewPage page1 = stores.previews().page(app, 2, null);
        assertEquals(List.of("a", "b"), page1.items().stream().map(Preview::name).toList());
        PreviewStore.PreviewPage page2 = stores.previews().page(app, 2, page1.next());
        assertEquals(List.of("c"), page2.items().stream().map(Preview::name).toList());
        assertTrue(stores.previews().due(now, 1000).contains(new PreviewStore.DuePreview(app, "a")), "expired: due");
        assertFalse(stores.previews().due(now, 1000).contains(new PreviewStore.DuePreview(app, "b")));
        assertEquals(WriteConflict.Part.ITEM, assertThrows(WriteConflict.class, () -> stores.previews().remove(
                preview("b", now, 7), Optional.empty(), event("preview.deleted"))).part());
        stores.previews().remove(stores.previews().get(app, "b").orElseThrow(), Optional.empty(), event("preview.deleted"));
        assertTrue(stores.previews().get(app, "b").isEmpty());
    }

    @Test
    void theContentIndexForgetsOnlyWhatItStillHolds() {
        String sha = "a".repeat(64);
        stores.content().record(app, Map.of(sha, "{\"key\":\"sites/x/1/a.js\"}"));
        assertEquals(Map.of(sha, "{\"key\":\"sites/x/1/a.js\"}"), stores.content().known(app, Set.of(sha, "b".repeat(64))));
        assertFalse(stores.content().forget(app, sha, "{\"key\":\"sites/x/2/a.js\"}"), "a re-pointed entry stays");
        assertTrue(stores.content().forget(app, sha, "{\"key\":\"sites/x/1/a.js\"}"));
        assertTrue(stores.content().known(app, Set.of(sha)).isEmpty());
        assertNull(stores.content().known(app, Set.of(sha)).get(sha));
    }

    @Test
    void aBuildLeaseHasOneHolderUntilItsHolderReleasesItOrItExpires() {
        BuildLeases leases = stores.buildLeases();
        String key = "k".repeat(64);
        Instant now = Instant.now();
        Instant until = now.plus(BuildLeases.LENGTH);

        assertTrue(leases.claim(app, key, "d1", now, until).heldBy("d1"), "a free lease is won");
        BuildLeases.Lease held = leases.claim(app, key, "d2", now.plusSeconds(1), until.plusSeconds(1));
        assertEquals("d1", held.holder(), "a live lease answers its holder");
        assertEquals(until.toEpochMilli(), held.heldUntil().toEpochMilli());
        BuildLeases.Lease retried = leases.claim(app, key, "d1", now.plusSeconds(2), until.plusSeconds(2));
        assertTrue(retried.heldBy("d1"), "the holder's retried claim wins again");
        assertEquals(until.plusSeconds(2).toEpochMilli(), retried.heldUntil().toEpochMilli(), "and renews it");
        assertFalse(leases.release(app, key, "d2"), "only the holder releases");
        assertEquals("d1", leases.find(app, key).orElseThrow().holder());
        assertEquals("d1", leases.claim(app, key, "d2", until.plusSeconds(2), until.plusSeconds(60)).holder(),
                "held up to and including its heldUntil");

        Instant expired = until.plusSeconds(3);
        assertTrue(leases.claim(app, key, "d2", expired, expired.plus(BuildLeases.LENGTH)).heldBy("d2"), "an expired lease is taken over");
        assertFalse(leases.release(app, key, "d1"), "the old holder no longer releases it");
        assertEquals("d2", leases.claim(app, key, "d1", expired, expired.plus(BuildLeases.LENGTH)).holder());
        assertTrue(leases.release(app, key, "d2"));
        assertFalse(leases.release(app, key, "d2"), "a repeated release is harmless");
        assertTrue(leases.find(app, key).isEmpty());
        assertTrue(leases.claim(app, key, "d3", expired, expired.plus(BuildLeases.LENGTH)).heldBy("d3"), "a released lease is free");
        assertTrue(leases.find("other-" + app, key).isEmpty(), "leases are per app");
    }

    @Test
    void aDeploymentReleasesEveryLeaseItHoldsAndNoOther() {
        BuildLeases leases = stores.buildLeases();
        Instant now = Instant.now();
        Instant until = now.plus(BuildLeases.LENGTH);
        leases.claim(app, "a".repeat(64), "d1", now, until);
        leases.claim(app, "b".repeat(64), "d1", now, until);
        leases.claim(app, "c".repeat(64), "d2", now, until);

        assertEquals(2, leases.releaseHeldBy(app, "d1"));
        assertEquals(0, leases.releaseHeldBy(app, "d1"));

        assertTrue(leases.find(app, "a".repeat(64)).isEmpty());
        assertTrue(leases.find(app, "b".repeat(64)).isEmpty());
        assertEquals("d2", leases.find(app, "c".repeat(64)).orElseThrow().holder());
    }

    @Test
    void concurrentClaimsOfOneBuildKeyHaveOneWinnerThatAllOfThemName() throws Exception {
        BuildLeases leases = stores.buildLeases();
        String key = "e".repeat(64);
        Instant now = Instant.now();
        int claimers = 8;
        CyclicBarrier start = new CyclicBarrier(claimers);
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        try {
            List<Future<BuildLeases.Lease>> answers = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                String deployment = "d" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return leases.claim(app, key, deployment, now, now.plus(BuildLeases.LENGTH));
                }));
            }
            Set<String> named = new HashSet<>();
            for (Future<BuildLeases.Lease> a : answers) {
                named.add(a.get(60, TimeUnit.SECONDS).holder());
            }
            assertEquals(Set.of(leases.find(app, key).orElseThrow().holder()), named);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers

    private AuditEvent event(String action) {
        return event(action, false);
    }

    /** The next event on the app's chain; {@code append}: written on its own (as another change would). */
    private AuditEvent event(String action, boolean append) {
        AuditHead head = stores.audit().head(app);
        AuditEvent e = AuditEvent.next(head, app, Instant.now(), ACTOR, action, "test", null, Json.object());
        if (append) {
            Deployment d = new Deployment(app, id(), "main", DeployTarget.PRODUCTION, Deployment.Status.RUNNING, null, null, null, null,
                    null, null, ACTOR.id(), Instant.now(), null, 1);
            stores.deployments().create(d, e);
        }
        return e;
    }

    private static String id() {
        return Ulid.next(Instant.now()).toLowerCase(Locale.ROOT);
    }

    private Release staged() {
        Release r = new Release(app, id(), "c0ffee", "7ree", "key-" + System.nanoTime(), "build", ReleaseStatus.STAGED, 0, 0,
                Instant.now(), null, null);
        stores.releases().putStaged(r);
        return r;
    }

    private Preview preview(String name, Instant expiresAt, long version) {
        Instant now = Instant.now();
        return new Preview(app, name, now, ACTOR.id(), expiresAt, false, null, null, "main", null, now, version);
    }
}
