package dev.slipway.shared.deploy;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.memory.InMemoryDeployStores;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FindReusableRelease with the build lease, on the in-memory stores: reuse, build, or wait for the deployment that builds. */
class BuildLeaseStepTest {
    private static final String APP = "shop";
    private static final String KEY = "f".repeat(64);
    private static final Actor ACTOR = new Actor(Actor.ADMIN, "req", null);

    private final DeployStores stores = InMemoryDeployStores.create();
    private Instant now = Instant.parse("2026-12-07T04:00:00Z");
    private final DeploySteps steps = new DeploySteps(null, stores, null, null, null, null, null, new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }, null);

    @Test
    void oneDeploymentBuildsTheOthersWaitForItAndItsRetryStillBuilds() {
        Deployment a = deployment();
        Deployment b = deployment();

        StepResult.Reusable first = (StepResult.Reusable) steps.findReusable(a, KEY);
        assertFalse(first.found());
        assertNull(first.waiting(), "the first deployment builds");
        StepResult.Reusable second = (StepResult.Reusable) steps.findReusable(b, KEY);
        assertEquals(Boolean.TRUE, second.waiting());
        assertEquals(a.id(), second.holder());
        assertNull(((StepResult.Reusable) steps.findReusable(a, KEY)).waiting(), "a retried step of the builder builds again");
        assertEquals(Boolean.TRUE, ((StepResult.Reusable) steps.findReusable(b, KEY)).waiting());
    }

    @Test
    void whenTheBuilderIsReadyTheWaiterReusesItsRelease() {
        Deployment a = deployment();
        Deployment b = deployment();
        steps.findReusable(a, KEY);
        steps.findReusable(b, KEY);

        Release ready = ready(a);
        assertTrue(stores.buildLeases().release(APP, KEY, a.id()), "VerifyRelease's part: the holder ends its lease once READY");

        StepResult.Reusable again = (StepResult.Reusable) steps.findReusable(b, KEY);
        assertTrue(again.found());
        assertEquals(ready.id(), again.releaseId());
        assertTrue(stores.buildLeases().find(APP, KEY).isEmpty(), "a reusing deployment holds no lease");
    }

    @Test
    void aReadyReleaseWhoseLeaseIsStillHeldIsReusedWithoutWaiting() {
        Deployment a = deployment();
        steps.findReusable(a, KEY);
        Release ready = ready(a); // READY, lease not yet released (VerifyRelease between its two writes)

        StepResult.Reusable b = (StepResult.Reusable) steps.findReusable(deployment(), KEY);
        assertTrue(b.found());
        assertEquals(ready.id(), b.releaseId());
    }

    @Test
    void whenTheBuilderFailsTheNextWaiterBuilds() {
        Deployment a = deployment();
        Deployment b = deployment();
        Deployment c = deployment();
        steps.findReusable(a, KEY);
        steps.findReusable(b, KEY);
        steps.findReusable(c, KEY);

        assertEquals(1, stores.buildLeases().releaseHeldBy(APP, a.id()), "MarkFailed's part (FailedDeployments.cleanUp)");

        assertNull(((StepResult.Reusable) steps.findReusable(b, KEY)).waiting(), "the first waiter to ask again builds");
        assertEquals(b.id(), ((StepResult.Reusable) steps.findReusable(c, KEY)).holder(), "the others wait for it");
    }

    @Test
    void aBuilderThatVanishedIsTakenOverOnceItsLeaseExpires() {
        Deployment a = deployment();
        Deployment b = deployment();
        steps.findReusable(a, KEY);

        now = now.plus(BuildLeases.LENGTH);
        assertEquals(a.id(), ((StepResult.Reusable) steps.findReusable(b, KEY)).holder(), "held for its whole length");
        now = now.plusSeconds(1);
        assertNull(((StepResult.Reusable) steps.findReusable(b, KEY)).waiting(), "then taken over");
        assertEquals(b.id(), stores.buildLeases().find(APP, KEY).orElseThrow().holder());
    }

    @Test
    void aWaiterGivesUpOnceItHasWaitedTheLongestWait() {
        Deployment a = deployment();
        steps.findReusable(a, KEY);
        Deployment b = stores.deployments().update(APP, deployment().id(), x -> x.withStepStarted("FindReusableRelease", now));

        now = now.plus(BuildLeases.LONGEST_WAIT).minusSeconds(1);
        stores.buildLeases().claim(APP, KEY, a.id(), now, now.plus(BuildLeases.LENGTH)); // still building: its lease renewed
        assertEquals(Boolean.TRUE, ((StepResult.Reusable) steps.findReusable(b, KEY)).waiting(), "still within the longest wait");
        now = now.plusSeconds(1);
        StepFailedException e = assertThrows(StepFailedException.class, () -> steps.findReusable(b, KEY));
        assertEquals("gave up after waiting 70 minutes for deployment " + a.id() + ", which builds the same inputs; deploy again", e.getMessage());
    }

    private Deployment deployment() {
        Deployment d = new Deployment(APP, Ulid.next(now).toLowerCase(Locale.ROOT), "main", DeployTarget.PRODUCTION,
                Deployment.Status.RUNNING, "c0ffee", "7ree", null, null, null, null, ACTOR.id(), now, null, 1);
        stores.deployments().create(d, event("deployment.started"));
        return d;
    }

    private Release ready(Deployment builder) {
        Release staged = new Release(APP, Ulid.next(now).toLowerCase(Locale.ROOT), "c0ffee", "7ree", KEY, "build", ReleaseStatus.STAGED,
                0, 0, now, null, builder.id());
        stores.releases().putStaged(staged);
        Release ready = staged.ready(1, 1, now);
        stores.releases().markReady(ready, event("release.ready"));
        return ready;
    }

    private AuditEvent event(String action) {
        return AuditEvent.next(stores.audit().head(APP), APP, now, ACTOR, action, "test", null, Json.object());
    }
}
