package dev.slipway.shared.deploy;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The deployments API: start a deploy (a Step Functions execution named after the deployment),
 * read deployments and their build logs. The work itself is {@link DeploySteps}.
 */
public final class DeployService {
    public static final Set<String> TARGETS = Set.of(Alias.PRODUCTION);
    /** Build logs are answered up to this size (the tail); the whole log stays in S3. */
    static final int MAX_LOG_BYTES = 1024 * 1024;
    /** A RUNNING deployment whose execution does not exist this long after its start was lost. */
    static final Duration LOST_AFTER = Duration.ofMinutes(2);

    private final AppService apps;
    private final DeploymentStore deployments;
    private final ReleaseStore releases;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final CommitSource sources;
    private final SfnClient sfn;
    private final String stateMachineArn;
    private final Clock clock;
    private final FailedDeployments failures;

    public DeployService(AppService apps, DeployStores stores, ReleaseFiles files, CommitSource sources, FailedDeployments failures,
                         SfnClient sfn, String stateMachineArn, Clock clock) {
        this.apps = apps;
        this.deployments = stores.deployments();
        this.releases = stores.releases();
        this.audit = stores.audit();
        this.files = files;
        this.sources = sources;
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
        this.clock = clock;
        this.failures = failures;
    }

    /** POST /apps/{appId}/deployments {ref?, target?, releaseId?}: resolves the ref now, so the deploy builds exactly that commit. */
    public Deployment start(String appId, NewDeployment request, Actor actor) {
        App app = apps.get(appId);
        String releaseId = request.releaseId();
        return launch(app, request.ref(), releaseId, releaseId == null ? sources.resolve(app.id(), request.ref()) : null,
                request.target(), actor, newId());
    }

    /** The deploy state machine's input: the ids its tasks pass on, and the target's wire form. */
    @JsonPropertyOrder({"appId", "deploymentId", "target"})
    record WorkflowInput(String appId, String deploymentId, String target) {
    }

    /** A new deployment id (a lowercase ULID, also the execution name). */
    public String newId() {
        return Ulid.next(clock.instant()).toLowerCase(Locale.ROOT);
    }

    /**
     * Builds {@code source} ({@code ref} as the caller resolved it) and points {@code target} at the
     * result: production, or a preview (only the previews service starts those: a preview needs its
     * record first). {@code id} from {@link #newId()}.
     */
    public Deployment startBuild(App app, String ref, CommitSource.Resolved source, DeployTarget target, Actor actor, String id) {
        return launch(app, ref, null, source, target, actor, id);
    }

    /** {@code source}: the resolved ref of a build (null for a release deployment). */
    private Deployment launch(App app, String ref, String releaseId, CommitSource.Resolved source, DeployTarget target, Actor actor, String id) {
        Deployment d;
        if (releaseId != null) {
            // A release built or uploaded earlier: no build, the workflow verifies and promotes it.
            Release r = releases.get(app.id(), releaseId.toLowerCase(Locale.ROOT)).orElseThrow(() ->
                    new DomainException(DomainError.RELEASE_NOT_FOUND, "App " + app.id() + " has no release " + releaseId));
            if (r.status() != ReleaseStatus.READY) {
                throw new DomainException(DomainError.RELEASE_NOT_READY, "Release " + r.id() + " is " + r.status() + "; only READY releases can be deployed");
            }
            d = new Deployment(app.id(), id, "release:" + r.id(), target, Deployment.Status.RUNNING, r.commit(), r.tree(), r.id(), true,
                    null, null, actor.id(), clock.instant(), null, 1);
        } else {
            d = new Deployment(app.id(), id, ref == null ? "main" : ref, target, Deployment.Status.RUNNING,
                    source.commit(), source.tree(), null, null, null, null, actor.id(), clock.instant(), null, 1);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                deployments.create(d, AuditEvent.next(audit.head(app.id()), app.id(), clock.instant(), actor,
                        "deployment.started", "deployment/" + id, null, d.audited()));
                break;
            } catch (WriteConflict e) {
                if (e.part() != WriteConflict.Part.AUDIT_HEAD || attempt >= 10) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The app changed while the deployment was being created; retry");
                }
                Transactions.pauseAfterConflict(attempt); // other writers of the app's audit chain: spread the retries
            }
        }
        String input = Json.write(new WorkflowInput(app.id(), id, target.wire()));
        try {
            sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(id).input(input));
        } catch (ExecutionAlreadyExistsException e) {
            // Same name, same input: a retried start; the execution is running already.
        } catch (RuntimeException e) {
            markNotStarted(d, actor, e);
            throw new DomainException(DomainError.DEPLOY_UNAVAILABLE, "The deploy workflow could not be started: " + e.getMessage());
        }
        return d;
    }

    private void markNotStarted(Deployment d, Actor actor, RuntimeException cause) {
        failures.fail(d.appId(), d.id(), "the deploy workflow could not be started: " + cause.getMessage(), actor);
    }

    public Deployment get(String appId, String deploymentId) {
        apps.get(appId);
        Deployment d = deployments.get(appId, requireId(deploymentId))
                .orElseThrow(() -> new DomainException(DomainError.DEPLOYMENT_NOT_FOUND, "App " + appId + " has no deployment " + deploymentId));
        return d.finished() ? d : reconcile(d, LOST_AFTER);
    }

    /**
     * A RUNNING deployment whose execution has ended without recording it (its MarkFailed step
     * could not run, or the execution was stopped or timed out) is marked FAILED when read, with
     * the execution's own error. Production is not touched: only a promotion moves it.
     */
    Deployment reconcile(Deployment d, Duration lostAfter) {
        String ended;
        try {
            DescribeExecutionResponse execution = sfn.describeExecution(r -> r.executionArn(executionArn(d.id())));
            if (execution.status() == ExecutionStatus.RUNNING || execution.status() == ExecutionStatus.PENDING_REDRIVE) {
                return d;
            }
            if (execution.status() == ExecutionStatus.SUCCEEDED) {
                return deployments.get(d.appId(), d.id()).orElse(d); // recorded by now (the promotion's transaction)
            }
            ended = "the deploy workflow ended " + execution.statusAsString()
                    + (execution.error() == null ? "" : " (" + execution.error() + ")") + " without recording its outcome";
        } catch (ExecutionDoesNotExistException e) {
            // Started moments ago and not visible yet, or lost with a killed local runtime (its
            // executions live in memory): only the second once the start is well past.
            if (d.createdAt() == null || d.createdAt().isAfter(clock.instant().minus(lostAfter))) {
                return d;
            }
            ended = "the deploy workflow was lost (its execution no longer exists, e.g. Slipway was stopped mid-deploy)";
        } catch (RuntimeException e) {
            return d; // the record stays as it is; the next read tries again
        }
        Deployment current = deployments.get(d.appId(), d.id()).orElse(d);
        if (current.finished()) {
            return current;
        }
        failures.cleanUp(current);
        return failures.fail(d.appId(), d.id(), ended, new Actor(DeploySteps.WORKFLOW_ACTOR, "deployment/" + d.id(), null)).orElse(current);
    }

    /**
     * RUNNING deployments of an app whose workflow has ended or vanished are marked FAILED and
     * their staged files removed. {@code slipway up} runs it on start with {@code lostAfter} zero:
     * the local engine keeps executions in memory, so none survives a restart.
     */
    public int reconcileRunning(String appId, Duration lostAfter) {
        int fixed = 0;
        String cursor = null;
        do {
            DeploymentStore.DeploymentPage page = deployments.page(appId, 100, cursor);
            for (Deployment d : page.items()) {
                if (!d.finished() && reconcile(d, lostAfter).finished()) {
                    fixed++;
                }
            }
            cursor = page.next();
        } while (cursor != null);
        return fixed;
    }

    private String executionArn(String deploymentId) {
        // arn:aws:states:<region>:<account>:stateMachine:<name> → …:execution:<name>:<execution name>
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + deploymentId;
    }

    public DeploymentStore.DeploymentPage list(String appId, int limit, String cursor) {
        apps.get(appId);
        DeploymentStore.DeploymentPage page = deployments.page(appId, limit, cursor);
        return new DeploymentStore.DeploymentPage(page.items().stream()
                .map(d -> d.finished() ? d : reconcile(d, LOST_AFTER)).toList(), page.next());
    }

    /** The build log's last {@value #MAX_LOG_BYTES} bytes (secrets were redacted when it was written). */
    public String log(String appId, String deploymentId) {
        Deployment d = get(appId, deploymentId);
        try {
            byte[] bytes = files.s3().getObjectAsBytes(r -> r.bucket(files.bucket()).key(SiteKeys.log(d.appId(), d.id()))).asByteArray();
            if (bytes.length > MAX_LOG_BYTES) {
                return "[… " + (bytes.length - MAX_LOG_BYTES) + " earlier bytes omitted]\n"
                        + new String(bytes, bytes.length - MAX_LOG_BYTES, MAX_LOG_BYTES, StandardCharsets.UTF_8);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchKeyException e) {
            throw new DomainException(DomainError.BUILD_LOG_NOT_FOUND, Boolean.TRUE.equals(d.reusedRelease())
                    ? "Deployment " + d.id() + " reused release " + d.releaseId() + " and built nothing"
                    : "Deployment " + d.id() + " has no build log yet");
        }
    }

    private static String requireId(String id) {
        if (id == null || !Ulid.isValid(id.toUpperCase(Locale.ROOT))) {
            throw new DomainException(DomainError.DEPLOYMENT_NOT_FOUND, "No deployment has the id \"" +
                    (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "…" : id) + "\"");
        }
        return id.toLowerCase(Locale.ROOT);
    }
}
