package dev.slipway.shared.deploy;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.deploy.alias.PreviewAlias;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.server.hosting.AppServers;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;

/**
 * The deploy state machine's PromoteRelease task ({@link DeploySteps}): the smoke check, then the
 * deployment's target alias moves ({@link ProductionAlias}, {@link PreviewAlias}) with the
 * deployment's end, retried on fresh state when another writer won the race.
 */
public final class PromoteStep {
    private static final Logger LOG = LoggerFactory.getLogger(PromoteStep.class);

    private final ProductionAlias production;
    private final PreviewAlias previewAlias;
    private final SmokeCheck smoke;
    private final DeploymentStore deployments;
    private final PreviewStore previews;
    private final ReleaseFiles files;
    private final Clock clock;
    private final AppServers servers;
    private final ReleaseStore releases;

    public PromoteStep(ProductionAlias production, PreviewAlias previewAlias, SmokeCheck smoke, DeployStores stores, ReleaseFiles files,
                Clock clock, AppServers servers) {
        this.servers = servers;
        this.releases = stores.releases();
        this.production = production;
        this.previewAlias = previewAlias;
        this.smoke = smoke;
        this.deployments = stores.deployments();
        this.previews = stores.previews();
        this.files = files;
        this.clock = clock;
    }

    /** A redelivered PromoteRelease after the end: the router is pointed where the alias is now, never blindly at this release. */
    void pointRouterAgain(Deployment found) {
        if (found.target() instanceof DeployTarget.Preview p) {
            previewAlias.pointRouter(found.appId(), p.name());
        } else {
            production.pointRouter(found.appId());
        }
    }

    /** PromoteRelease of deployment {@code d} with its release {@code releaseId}: smoke check, then its target's alias moves. */
    StepResult promote(Deployment d, String releaseId, Actor actor) {
        Manifest m = files.manifest(d.appId(), releaseId).orElseThrow(() -> new StepFailedException("release " + releaseId + " has no manifest"));
        Release release = releases.get(d.appId(), releaseId).orElseThrow(() -> new StepFailedException("release " + releaseId + " is gone"));
        try {
            if (release.server() != null) {
                // its home page is the server's (VerifyRelease checked a new release for the target's scope; a reused one,
                // and a preview's own server, which has the preview's values ApplyMigrations may just have made, are checked here)
                if (Boolean.TRUE.equals(d.reusedRelease()) || d.target() instanceof DeployTarget.Preview) {
                    publishServer(release, d.target());
                }
            } else {
                Optional<String> problem = smoke.check(m);
                if (problem.isPresent()) {
                    throw new StepFailedException("smoke check failed: " + problem.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientStepException("interrupted during the smoke check");
        }
        if (d.target() instanceof DeployTarget.Preview p) {
            return promotePreview(d, releaseId, p.name(), actor);
        }
        for (int attempt = 0; ; attempt++) {
            // Fresh state each time: the deployment (its version joins the transaction); the alias is read by the move.
            Deployment cur = deployments.get(d.appId(), d.id()).orElse(d);
            if (cur.finished()) {
                return DeploySteps.result(cur);
            }
            try {
                Optional<Alias> moved = production.promoteDeployment(cur, releaseId, actor);
                if (moved.isEmpty()) {
                    // Pinned (after a rollback): the release is staged and verified, production stays.
                    deleteBuildIntermediates(d);
                    return new StepResult.Promoted(releaseId, null, false);
                }
                production.pointRouter(d.appId());
                return promoted(d, releaseId, moved.get());
            } catch (WriteConflict e) {
                // Another move (promote, rollback, another deployment) or an audit event won the race:
                // decide again on fresh state; after a few tries Step Functions retries with backoff.
                if (attempt >= 8) {
                    throw new TransientStepException("production moved while promoting (" + e.part() + "); retrying");
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    /** A preview deployment: the preview's alias moves (never production); a preview removed meanwhile fails it. */
    private StepResult promotePreview(Deployment d, String releaseId, String name, Actor actor) {
        for (int attempt = 0; ; attempt++) {
            Deployment cur = deployments.get(d.appId(), d.id()).orElse(d);
            if (cur.finished()) {
                return DeploySteps.result(cur);
            }
            if (previews.get(d.appId(), name).isEmpty()) {
                throw new StepFailedException("preview " + name + " was removed while it was being deployed");
            }
            Deployment done = cur.withStepEnded("PromoteRelease", "succeeded", clock.instant()).succeeded(clock.instant());
            try {
                Alias next = previewAlias.move(d.appId(), name, releaseId, actor, done, cur.version());
                previewAlias.pointRouter(d.appId(), name);
                return promoted(d, releaseId, next);
            } catch (WriteConflict e) {
                if (attempt >= 8) {
                    throw new TransientStepException("preview " + name + " moved while promoting (" + e.part() + "); retrying");
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    /**
     * The release's server answers for the target's scope ({@link AppServers#publish}: its home page, 2xx within 30 s),
     * else the deployment fails with the reason and the server's last log lines; no alias has moved.
     */
    void publishServer(Release release, DeployTarget target) {
        checked(release, () -> servers.publish(release, target));
    }

    /** {@link #publishServer} for the server of the target's whole scope (VerifyRelease: before the preview's own values exist). */
    void publishScopeServer(Release release, EnvScope scope) {
        checked(release, () -> servers.publish(release, scope));
    }

    private interface Publish {
        void run() throws AppServers.ServerCheckFailed;
    }

    private static void checked(Release release, Publish publish) {
        try {
            publish.run();
        } catch (AppServers.ServerCheckFailed e) {
            String tail = e.logTail().isBlank() ? "" : "\nserver log (last lines):\n" + e.logTail().strip();
            throw new StepFailedException("the " + release.server().framework() + " server of release " + release.id()
                    + " failed its check: " + e.getMessage() + tail);
        }
    }

    /** After an alias moved to the deployment's release: its intermediates go, the task answers. */
    private StepResult promoted(Deployment d, String releaseId, Alias moved) {
        deleteBuildIntermediates(d);
        return new StepResult.Promoted(releaseId, moved.version(), true);
    }

    private void deleteBuildIntermediates(Deployment d) {
        try {
            files.deleteBuildFiles(d.appId(), d.id());
        } catch (RuntimeException e) {
            LOG.warn("could not remove build intermediates of {}: {}", d.id(), e.toString()); // a lifecycle rule expires builds/ too
        }
    }
}
