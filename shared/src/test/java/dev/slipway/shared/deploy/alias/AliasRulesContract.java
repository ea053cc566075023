package dev.slipway.shared.deploy.alias;

import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.TransactionPart;
import dev.slipway.shared.store.WriteConflict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alias rules ({@link ProductionAlias}, {@link PreviewAlias}) over a set of deploy stores: run
 * on the in-memory set here and on the DynamoDB set in the local module, so both honour the same
 * rules. Each test uses its own app, so one DynamoDB table serves them all.
 */
public abstract class AliasRulesContract {
    static final Actor ACTOR = new Actor(Actor.ADMIN, "req-1", "127.0.0.1");

    /** The stores under test. */
    protected abstract DeployStores stores();

    /** The app's audit events, oldest first, as the set's audit chain holds them. */
    protected abstract List<AuditEvent> events(String appId);

    protected String app;
    protected DeployStores stores;
    /** A hook the next manifest check runs once (it stands in for a concurrent writer between read and write). */
    private final AtomicReference<Runnable> beforeNextCheck = new AtomicReference<>();
    private final Map<String, String> routes = new ConcurrentHashMap<>();
    private ProductionAlias production;
    private PreviewAlias previews;

    @BeforeEach
    void newApp() {
        stores = stores();
        app = "rules-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36);
        ReleaseManifests manifests = (appId, releaseId) -> {
            Runnable hook = beforeNextCheck.getAndSet(null);
            if (hook != null) {
                hook.run();
            }
            return true;
        };
        production = new ProductionAlias(new AppService(new KnownApps(), Clock.systemUTC()), stores, manifests, new Routes(), Clock.systemUTC());
        previews = new PreviewAlias(stores, new Routes(), Clock.systemUTC());
    }

    // ---- production: a deployment's promotion

    @Test
    void aDeploymentsPromotionMovesProductionAndEndsTheDeploymentWithTwoEvents() {
        Release r1 = ready();
        Deployment d = running(DeployTarget.PRODUCTION);
        int before = events(app).size();

        Alias moved = production.promoteDeployment(d, r1.id(), ACTOR).orElseThrow();

        Alias stored = alias().orElseThrow();
        assertEquals(moved, stored);
        assertEquals(1, stored.version());
        assertEquals(r1.id(), stored.releaseId());
        assertEquals(d.id(), stored.deploymentId());
        assertNull(stored.previousReleaseId());
        Deployment done = stores.deployments().get(app, d.id()).orElseThrow();
        assertEquals(Deployment.Status.SUCCEEDED, done.status());
        assertEquals(Boolean.TRUE, done.promoted());
        assertEquals(List.of("alias.moved", "deployment.succeeded"), actionsSince(before));
        List<AliasVersion> history = history();
        assertEquals(1, history.size());
        assertEquals("alias.moved", history.get(0).action());
        assertEquals(events(app).get(before).seq(), history.get(0).auditSeq());
        assertTrue(stores.aliases().referenced(app, r1.id()));
        assertChainLinks();
    }

    @Test
    void theNextPromotionRemembersThePreviousReleaseAndLeavesItToTheCleanup() {
        Release r1 = ready();
        Release r2 = ready();
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r1.id(), ACTOR);
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r2.id(), ACTOR);

        Alias a = alias().orElseThrow();
        assertEquals(2, a.version());
        assertEquals(r2.id(), a.releaseId());
        assertEquals(r1.id(), a.previousReleaseId());
        assertEquals(List.of(2L, 1L), history().stream().map(AliasVersion::version).toList(), "one history item per version, newest first");
        assertEquals(r1.id(), history().get(0).previousReleaseId());
        assertFalse(stores.aliases().referenced(app, r1.id()), "the release left behind lost its ref");
        assertTrue(stores.aliases().referenced(app, r2.id()));
        assertEquals("left by production", stores.sweeps().find(app, r1.id()).orElseThrow().reason(), "and is a sweep candidate");
    }

    @Test
    void aPinnedProductionIsNotMovedByADeployment() {
        Release r1 = ready();
        Release r2 = ready();
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r1.id(), ACTOR);
        production.pin(app, true, ACTOR);
        Alias pinned = alias().orElseThrow();
        Deployment d = running(DeployTarget.PRODUCTION);
        int before = events(app).size();

        assertTrue(production.promoteDeployment(d, r2.id(), ACTOR).isEmpty());

        assertEquals(pinned, alias().orElseThrow(), "production stays where it is");
        Deployment done = stores.deployments().get(app, d.id()).orElseThrow();
        assertEquals(Deployment.Status.SUCCEEDED, done.status());
        assertEquals(Boolean.FALSE, done.promoted());
        assertEquals(List.of("deployment.staged"), actionsSince(before));
    }

    @Test
    void aDeploymentThatChangedMeanwhileMovesNothing() {
        Release r1 = ready();
        Deployment d = running(DeployTarget.PRODUCTION);
        stores.deployments().update(app, d.id(), x -> x.withStepStarted("PromoteRelease", Instant.now()));
        int before = events(app).size();

        WriteConflict e = assertThrows(WriteConflict.class, () -> production.promoteDeployment(d, r1.id(), ACTOR));

        assertEquals(WriteConflict.Part.ITEM, e.part());
        assertTrue(alias().isEmpty(), "the move and the deployment's end are one write");
        assertEquals(before, events(app).size());
    }

    // ---- production: rollback, promote, pin

    @Test
    void rollbackReturnsToThePreviousReleaseAndPins() {
        Release r1 = ready();
        Release r2 = ready();
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r1.id(), ACTOR);
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r2.id(), ACTOR);
        int before = events(app).size();

        ProductionAlias.Change c = production.rollback(app, null, "bad deploy", ACTOR);

        assertEquals(r2.id(), c.before().releaseId());
        Alias a = alias().orElseThrow();
        assertEquals(r1.id(), a.releaseId());
        assertEquals(r2.id(), a.previousReleaseId());
        assertTrue(a.pinned());
        assertEquals(3, a.version());
        assertEquals(List.of(ProductionAlias.ROLLBACK), actionsSince(before), "exactly one audit event per move");
        assertEquals(r1.id(), routes.get(app), "the edge follows the alias");
        AliasVersion v3 = history().get(0);
        assertEquals(ProductionAlias.ROLLBACK, v3.action());
        assertEquals("bad deploy", v3.reason());
        assertEquals(r2.id(), v3.previousReleaseId());
    }

    @Test
    void rollbackToANamedReleaseAndWithNothingToReturnTo() {
        DomainException never = assertThrows(DomainException.class, () -> production.rollback(app, null, null, ACTOR));
        assertEquals(DomainError.NOTHING_TO_ROLL_BACK, never.error());
        Release r1 = ready();
        Release r2 = ready();
        production.promoteDeployment(running(DeployTarget.PRODUCTION), r1.id(), ACTOR);
        DomainException first = assertThrows(DomainException.class, () -> production.rollback(app, null, null, ACTOR));
        assertEquals(DomainError.NOTHING_TO_ROLL_BACK, first.error(), "the first release has nothing before it");

        production.rollback(app, r2.id(), null, ACTOR);

        Alias a = alias().orElseThrow();
        assertEquals(r2.id(), a.releaseId());
        assertEquals(r1.id(), a.previousReleaseId());
        assertTrue(a.pinned());
        assertEquals(2, history().size());
    }

    @Test
    void promoteKeepsThePinAsItIsAndPinUnpinKeepTheRelease() {
        Release r1 = ready();
        Release r2 = ready();
        Release r3 = ready();
        production.promote(app, r1.id(), ACTOR);
        assertFalse(alias().orElseThrow().pinned());
        int before = events(app).size();
        production.pin(app, true, ACTOR);
        Alias pinned = alias().orElseThrow();
        assertTrue(pinned.pinned());
        assertEquals(r1.id(), pinned.releaseId());
        assertEquals(List.of(ProductionAlias.PIN), actionsSince(before));

        production.promote(app, r2.id(), ACTOR);
        assertTrue(alias().orElseThrow().pinned(), "a pin stays through a promote");
        production.pin(app, false, ACTOR);
        Alias unpinned = alias().orElseThrow();
        assertFalse(unpinned.pinned());
        assertEquals(r2.id(), unpinned.releaseId());
        assertEquals(r1.id(), unpinned.previousReleaseId(), "pinning does not change where a rollback returns to");
        production.promote(app, r3.id(), ACTOR);
        assertFalse(alias().orElseThrow().pinned());
        assertEquals(List.of(ProductionAlias.PROMOTE, ProductionAlias.UNPIN, ProductionAlias.PROMOTE, ProductionAlias.PIN,
                ProductionAlias.PROMOTE), history().stream().map(AliasVersion::action).toList(), "newest first");
        assertChainLinks();
    }

    // ---- only READY releases

    @Test
    void productionNeverMovesOntoAReleaseThatIsNotReady() {
        Release r1 = ready();
        production.promote(app, r1.id(), ACTOR);
        Alias before = alias().orElseThrow();
        int events = events(app).size();
        Release staged = staged();
        Release failed = staged();
        stores.releases().markFailed(failed);
        Release retiring = ready();
        assertTrue(stores.releases().changeStatus(retiring.withStatus(ReleaseStatus.RETIRING), ReleaseStatus.READY));
        events = events(app).size();

        for (Release r : List.of(staged, failed, retiring)) {
            DomainException e = assertThrows(DomainException.class, () -> production.promote(app, r.id(), ACTOR));
            assertEquals(DomainError.RELEASE_NOT_READY, e.error(), r.id());
            DomainException back = assertThrows(DomainException.class, () -> production.rollback(app, r.id(), null, ACTOR));
            assertEquals(DomainError.RELEASE_NOT_READY, back.error());
            // The store's own condition, when the release stops being READY after it was checked:
            WriteConflict lost = assertThrows(WriteConflict.class,
                    () -> production.promoteDeployment(running(DeployTarget.PRODUCTION), r.id(), ACTOR));
            assertEquals(WriteConflict.Part.RELEASE, lost.part());
        }
        assertEquals(before, alias().orElseThrow(), "the alias is unchanged");
        assertEquals(3, events(app).size() - events, "only the three deployment.started events");
    }

    @Test
    void aReleaseRetiredBetweenTheCheckAndTheWriteIsRefusedAsNotReady() {
        Release r1 = ready();
        Release r2 = ready();
        production.promote(app, r1.id(), ACTOR);
        Alias before = alias().orElseThrow();
        beforeNextCheck.set(() -> assertTrue(stores.releases().changeStatus(r2.withStatus(ReleaseStatus.RETIRING), ReleaseStatus.READY)));

        DomainException e = assertThrows(DomainException.class, () -> production.promote(app, r2.id(), ACTOR));

        assertEquals(DomainError.RELEASE_NOT_READY, e.error());
        assertEquals(before, alias().orElseThrow());
    }

    // ---- compare-and-set

    @Test
    void aMoveOnAStaleVersionLosesAndTheLoserIsRefused() {
        Release r1 = ready();
        Release r2 = ready();
        Release r3 = ready();
        production.promote(app, r1.id(), ACTOR);
        // Another writer moves production after this request read it and before it writes.
        beforeNextCheck.set(() -> production.promote(app, r3.id(), ACTOR));

        DomainException e = assertThrows(DomainException.class, () -> production.promote(app, r2.id(), ACTOR));

        assertEquals(DomainError.CONCURRENT_MODIFICATION, e.error());
        Alias a = alias().orElseThrow();
        assertEquals(r3.id(), a.releaseId(), "the winner's move stands");
        assertEquals(2, a.version());
        assertEquals(List.of(r3.id(), r1.id()), history().stream().map(AliasVersion::releaseId).toList());
        WriteConflict stale = assertThrows(WriteConflict.class, () -> stores.aliases().move(AliasMove.of(
                new Alias(app, Alias.PRODUCTION, r2.id(), 2, Instant.now(), null), 1, List.of(event("alias.moved")))));
        assertEquals(WriteConflict.Part.ALIAS, stale.part());
        // A version no history item has yet: only the alias's own compare-and-set refuses it.
        WriteConflict skipped = assertThrows(WriteConflict.class, () -> stores.aliases().move(AliasMove.of(
                new Alias(app, Alias.PRODUCTION, r2.id(), 7, Instant.now(), null), 1, List.of(event("alias.moved")))));
        assertEquals(WriteConflict.Part.ALIAS, skipped.part());
        WriteConflict created = assertThrows(WriteConflict.class, () -> stores.aliases().move(AliasMove.of(
                new Alias(app, Alias.PRODUCTION, r2.id(), 8, Instant.now(), null), 0, List.of(event("alias.moved")))));
        assertEquals(WriteConflict.Part.ALIAS, created.part(), "version 0 means: does not exist yet");
        assertEquals(a, alias().orElseThrow());
    }

    @Test
    void concurrentMovesAreSerialisedAndNothingIsLost() throws Exception {
        List<Release> releases = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            releases.add(ready());
        }
        production.promote(app, releases.get(0).id(), ACTOR);
        AtomicInteger won = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (Release r : releases) {
                all.add(pool.submit(() -> {
                    try {
                        production.promote(app, r.id(), ACTOR);
                        won.incrementAndGet();
                    } catch (DomainException e) {
                        assertEquals(DomainError.CONCURRENT_MODIFICATION, e.error());
                        refused.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(6, won.get() + refused.get());
        Alias a = alias().orElseThrow();
        assertEquals(1 + won.get(), a.version(), "one version per successful move");
        List<AliasVersion> history = history();
        assertEquals(a.version(), history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(a.version() - i, history.get(i).version());
        }
        assertEquals(1 + won.get(), events(app).stream().filter(e -> e.action().equals(ProductionAlias.PROMOTE)).count(),
                "one audit event per move, none for a refused one");
        assertChainLinks();
    }

    // ---- previews

    @Test
    void aPreviewDeploymentMovesThePreviewsAliasOnly() {
        Release r1 = ready();
        createPreview("feature-x");
        Deployment d = running(DeployTarget.preview("feature-x"));
        int before = events(app).size();

        Alias a = previews.move(app, "feature-x", r1.id(), ACTOR, d.withStepEnded("PromoteRelease", "succeeded", Instant.now())
                .succeeded(Instant.now()), d.version());

        assertEquals("preview:feature-x", a.name());
        assertEquals(a, stores.aliases().get(app, "preview:feature-x").orElseThrow());
        assertTrue(alias().isEmpty(), "production is never touched");
        assertEquals(Deployment.Status.SUCCEEDED, stores.deployments().get(app, d.id()).orElseThrow().status());
        assertEquals(List.of("alias.moved", "deployment.succeeded"), actionsSince(before));
        assertTrue(stores.aliases().referenced(app, r1.id()));
    }

    @Test
    void aRemovedPreviewIsNotRevivedByALateDeployment() {
        Release r1 = ready();
        Release r2 = ready();
        Preview p = createPreview("late");
        Deployment first = running(DeployTarget.preview("late"));
        previews.move(app, "late", r1.id(), ACTOR, first.succeeded(Instant.now()), first.version());
        Deployment late = running(DeployTarget.preview("late"));
        Alias a = stores.aliases().get(app, "preview:late").orElseThrow();
        stores.previews().remove(stores.previews().get(app, "late").orElseThrow(), Optional.of(a), event("preview.deleted"));
        assertTrue(stores.aliases().get(app, "preview:late").isEmpty());
        assertEquals("preview late removed", stores.sweeps().find(app, r1.id()).orElseThrow().reason());
        int before = events(app).size();

        WriteConflict e = assertThrows(WriteConflict.class, () -> previews.move(app, "late", r2.id(), ACTOR,
                late.succeeded(Instant.now()), late.version()));

        assertEquals(WriteConflict.Part.ITEM, e.part());
        assertTrue(stores.aliases().get(app, "preview:late").isEmpty(), "no alias without its preview");
        assertTrue(stores.previews().get(app, p.name()).isEmpty());
        assertEquals(Deployment.Status.RUNNING, stores.deployments().get(app, late.id()).orElseThrow().status());
        assertEquals(before, events(app).size());
        assertFalse(stores.aliases().referenced(app, r2.id()));
    }

    @Test
    void aPreviewCreatedAgainContinuesItsAliasHistory() {
        Release r1 = ready();
        createPreview("again");
        Deployment d1 = running(DeployTarget.preview("again"));
        previews.move(app, "again", r1.id(), ACTOR, d1.succeeded(Instant.now()), d1.version());
        stores.previews().remove(stores.previews().get(app, "again").orElseThrow(),
                stores.aliases().get(app, "preview:again"), event("preview.deleted"));
        createPreview("again");
        Deployment d2 = running(DeployTarget.preview("again"));

        Alias a = previews.move(app, "again", r1.id(), ACTOR, d2.succeeded(Instant.now()), d2.version());

        assertEquals(2, a.version());
        assertEquals(List.of(2L, 1L), stores.aliases().history(app, "preview:again", 10).stream().map(AliasVersion::version).toList());
    }

    // ---- helpers

    private Optional<Alias> alias() {
        return stores.aliases().get(app, Alias.PRODUCTION);
    }

    private List<AliasVersion> history() {
        return stores.aliases().history(app, Alias.PRODUCTION, 100);
    }

    private List<String> actionsSince(int index) {
        List<AuditEvent> all = events(app);
        return all.subList(index, all.size()).stream().map(AuditEvent::action).toList();
    }

    /** Every event links to the one before and hashes to its hash. */
    private void assertChainLinks() {
        String prev = AuditEvent.GENESIS;
        long seq = 1;
        for (AuditEvent e : events(app)) {
            assertEquals(seq++, e.seq());
            assertEquals(prev, e.prevHash());
            assertEquals(e.computeHash(), e.hash());
            prev = e.hash();
        }
    }

    protected AuditEvent event(String action) {
        AuditHead head = stores.audit().head(app);
        return AuditEvent.next(head, app, Instant.now(), ACTOR, action, "test", null, Json.object());
    }

    private static String newId() {
        return Ulid.next(Instant.now()).toLowerCase(Locale.ROOT);
    }

    private Release staged() {
        Release r = new Release(app, newId(), "c0ffee", "7ree", "key-" + System.nanoTime(), "build", ReleaseStatus.STAGED, 0, 0,
                Instant.now(), null, null);
        stores.releases().putStaged(r);
        return r;
    }

    private Release ready() {
        Release ready = staged().ready(1, 10, Instant.now());
        assertTrue(stores.releases().markReady(ready, event("release.ready")));
        return ready;
    }

    private Deployment running(DeployTarget target) {
        Deployment d = new Deployment(app, newId(), "main", target, Deployment.Status.RUNNING, "c0ffee", "7ree", null, false,
                null, null, ACTOR.id(), Instant.now(), null, 1);
        stores.deployments().create(d, event("deployment.started"));
        return d;
    }

    private Preview createPreview(String name) {
        Instant now = Instant.now();
        Preview p = new Preview(app, name, now, ACTOR.id(), now.plusSeconds(3600), false, null, null, "main", null, now, 1);
        stores.previews().put(p, 0, event("preview.created"));
        return p;
    }

    /** Every app exists (the rules only ask for an app's canonical id). */
    private static final class KnownApps implements AppStore {
        @Override
        public Optional<App> get(String appId) {
            return Optional.of(new App(appId, appId, null, null, null, Instant.EPOCH, Instant.EPOCH, 1));
        }

        @Override
        public void create(App app, AuditEvent event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replace(App updated, long expectedVersion, AuditEvent event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replace(App updated, long expectedVersion, AuditEvent event, TransactionPart extra) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AuditHead auditHead(String appId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AppPage list(int limit, String cursor) {
            throw new UnsupportedOperationException();
        }
    }

    /** The edge as a map: host label → release. */
    private final class Routes implements Router {
        @Override
        public void point(String hostLabel, String releaseId, String tokenSha256) {
            routes.put(hostLabel, releaseId);
        }

        @Override
        public void remove(String hostLabel) {
            routes.remove(hostLabel);
        }

        @Override
        public Optional<RouteEntry> lookup(String hostLabel) {
            return Optional.empty();
        }
    }
}
