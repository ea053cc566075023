package dev.slipway.shared.deploy;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.store.WriteConflict;

import java.time.Clock;
import java.util.Optional;

/**
 * How a deployment ends FAILED, wherever the failure is noticed: the workflow's MarkFailed (its
 * Catch), a start that could not reach Step Functions, or a read that finds the execution gone
 * (a killed local runtime, an exhausted MarkFailed). Production is never touched here.
 */
public final class FailedDeployments {
    private final DeploymentStore deployments;
    private final ReleaseStore releases;
    private final BuildLeases leases;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final Clock clock;

    public FailedDeployments(DeployStores stores, ReleaseFiles files, Clock clock) {
        this.deployments = stores.deployments();
        this.releases = stores.releases();
        this.leases = stores.buildLeases();
        this.audit = stores.audit();
        this.files = files;
        this.clock = clock;
    }

    /**
     * Removes what the deployment staged (a READY release is never removed) and its build inputs/outputs,
     * and ends the build leases it holds.
     */
    public void cleanUp(Deployment d) {
        if (d.releaseId() != null && !Boolean.TRUE.equals(d.reusedRelease())) {
            Optional<Release> r = releases.get(d.appId(), d.releaseId());
            if (r.isPresent() && r.get().status() != ReleaseStatus.READY && !r.get().status().removal()) {
                files.delete(d.appId(), r.get().id());
                releases.markFailed(r.get());
            } else if (r.isEmpty()) {
                files.delete(d.appId(), d.releaseId()); // files staged before the record was written
            }
        }
        files.deleteBuildFiles(d.appId(), d.id());
        // A build lease it held ends with it, so a deployment waiting for these inputs claims it and builds.
        leases.releaseHeldBy(d.appId(), d.id());
    }

    /**
     * Marks the deployment FAILED with {@code reason} and a {@code deployment.failed} audit event,
     * in one transaction; a deployment that has already finished is left as it is. Returns what is stored.
     */
    public Optional<Deployment> fail(String appId, String deploymentId, String reason, Actor actor) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<Deployment> cur = deployments.get(appId, deploymentId);
            if (cur.isEmpty() || cur.get().finished()) {
                return cur;
            }
            Deployment failed = cur.get().failed(reason, clock.instant());
            try {
                deployments.finish(failed, cur.get().version(), AuditEvent.next(audit.head(appId), appId,
                        clock.instant(), actor, "deployment.failed", "deployment/" + deploymentId, null, failed.audited()));
                return Optional.of(failed);
            } catch (WriteConflict e) {
                // a step update or another audit event raced us: read again
            }
        }
        return deployments.get(appId, deploymentId);
    }

}
