package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.lockfile.RegistryMapping;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.Optional;

/**
 * The tasks of the deploy state machine ({@code statemachines/deploy.asl.json}), one method per
 * Task state. Each records its step on the deployment, takes and returns small JSON (S3 keys, ids, the
 * build's presigned URLs — never file contents or values) and is safe to run twice: Step Functions
 * retries and may redeliver.
 */
public final class DeploySteps {
    private static final Logger LOG = LoggerFactory.getLogger(DeploySteps.class);
    /** The state machine acts for whoever started the deployment; audit events name it. */
    static final String WORKFLOW_ACTOR = "deploy-workflow";

    private final AppService apps;
    private final DeploymentStore deployments;
    private final ReleaseStore releases;
    private final BuildLeases leases;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final CommitSource sources;
    private final AppEnvironment environment;
    private final PromoteStep promotion;
    private final FailedDeployments failures;
    private final Clock clock;
    private final BuildInputs buildInputs;
    private final String stackRegistry;

    public DeploySteps(AppService apps, DeployStores stores, ReleaseFiles files, CommitSource sources, AppEnvironment environment,
                       PromoteStep promotion, FailedDeployments failures, Clock clock, BuildInputs buildInputs) {
        this(apps, stores, files, sources, environment, promotion, failures, clock, buildInputs, null);
    }

    /**
     * @param buildInputs   the build's environment file and URLs (ExportSource): all a build may reach
     * @param stackRegistry the registry builds install from unless the app names its own (null: the public one)
     */
    public DeploySteps(AppService apps, DeployStores stores, ReleaseFiles files, CommitSource sources, AppEnvironment environment,
                       PromoteStep promotion, FailedDeployments failures, Clock clock, BuildInputs buildInputs,
                       String stackRegistry) {
        this.stackRegistry = new RegistryMapping(stackRegistry).registry();
        this.buildInputs = buildInputs;
        this.apps = apps;
        this.deployments = stores.deployments();
        this.releases = stores.releases();
        this.leases = stores.buildLeases();
        this.audit = stores.audit();
        this.files = files;
        this.sources = sources;
        this.environment = environment;
        this.promotion = promotion;
        this.failures = failures;
        this.clock = clock;
    }

    /** Runs the step named by {@code input.step}; the names match the ASL states. */
    public StepResult run(StepInput input) {
        String step = required(input.step(), "step");
        String appId = required(input.appId(), "appId");
        String deploymentId = required(input.deploymentId(), "deploymentId");
        if (step.equals("MarkFailed")) {
            return markFailed(appId, deploymentId, input.error() == null ? new StepInput.Caught("", "") : input.error());
        }
        Deployment found = deployments.get(appId, deploymentId)
                .orElseThrow(() -> new StepFailedException("deployment " + deploymentId + " of " + appId + " does not exist"));
        if (found.finished()) {
            // A redelivered task after the end changes nothing, except that a promotion whose router
            // update was lost (the transaction committed, the call after it did not) points it again.
            if (step.equals("PromoteRelease") && found.status() == Deployment.Status.SUCCEEDED) {
                // where the alias is now, never blindly this deployment's release
                promotion.pointRouterAgain(found);
            }
            return result(found);
        }
        String stepName = step;
        if (step.equals("StageRelease")) {
            deployments.update(appId, deploymentId, x -> x.withStepEnded("Build", "succeeded", clock.instant()));
        }
        Deployment d = deployments.update(appId, deploymentId, x -> x.withStepStarted(stepName, clock.instant()));
        try {
            StepResult out = switch (step) {
                case "ResolveRef" -> resolveRef(d);
                // A release deployment has no build key (ResolveRef answers ""): it names its release.
                case "FindReusableRelease" -> findReusable(d, isReleaseDeployment(d) ? null : required(input.buildKey(), "buildKey"));
                case "ExportSource" -> exportSource(d);
                case "StageRelease" -> stage(d, required(input.buildKey(), "buildKey"));
                case "VerifyRelease" -> verify(d);
                case "PromoteRelease" -> promote(d);
                default -> throw new StepFailedException("unknown deploy step " + step);
            };
            String outcome = out.outcome() == null ? "succeeded" : out.outcome();
            if (!step.equals("PromoteRelease")) { // promotion ends its step in its own transaction
                deployments.update(appId, deploymentId, x -> x.withStepEnded(stepName, outcome, clock.instant()));
            }
            if (step.equals("ExportSource")) {
                // The build runs outside our code (CodeBuild, or the local runner): its step opens here,
                // once: a redelivered ExportSource finds it open and does not count a build attempt.
                deployments.update(appId, deploymentId, x -> x.steps().stream()
                        .anyMatch(s -> s.name().equals("Build") && s.endedAt() == null) ? x : x.withStepStarted("Build", clock.instant()));
            }
            return out;
        } catch (RuntimeException e) {
            LOG.warn("deploy step {} of {} failed: {}", step, deploymentId, e.toString());
            throw e instanceof StepFailedException || e instanceof TransientStepException ? e : classify(e);
        }
    }

    // ---- the steps

    StepResult resolveRef(Deployment d) {
        if (isReleaseDeployment(d)) {
            return new StepResult.Resolved(null, null, "", "deploying release " + d.releaseId() + ": nothing to build");
        }
        App app = apps.get(d.appId());
        CommitSource.Resolved r;
        try {
            r = sources.resolve(d.appId(), d.commit() != null ? d.commit() : d.ref());
        } catch (DomainException e) {
            throw new StepFailedException(e.detail());
        }
        String buildKey = buildKey(app, r.tree(), d.target());
        deployments.update(d.appId(), d.id(), x -> x.commit() != null && x.tree() != null ? x : x.withSource(r.commit(), r.tree()));
        return new StepResult.Resolved(r.commit(), r.tree(), buildKey, null);
    }

    StepResult findReusable(Deployment d, String buildKey) {
        Optional<Release> ready = isReleaseDeployment(d)
                ? releases.get(d.appId(), d.releaseId()).filter(r -> r.status() == ReleaseStatus.READY)
                : releases.readyReleaseFor(d.appId(), buildKey);
        if (isReleaseDeployment(d) && ready.isEmpty()) {
            throw new StepFailedException("release " + d.releaseId() + " is no longer READY");
        }
        if (ready.isPresent()) {
            return reuse(d, ready.get());
        }
        // Nothing READY: one deployment builds these inputs, the others wait for its release.
        // Claiming again is harmless: a retried step finds the lease its own and renews it.
        Instant now = clock.instant();
        BuildLeases.Lease lease = leases.claim(d.appId(), buildKey, d.id(), now, now.plus(BuildLeases.LENGTH));
        if (!lease.heldBy(d.id())) {
            // The step keeps its first start across the waits: that is when waiting began.
            Instant since = d.steps().stream().filter(s -> s.name().equals("FindReusableRelease")).findFirst()
                    .map(Deployment.Step::startedAt).orElse(now);
            if (!now.isBefore(since.plus(BuildLeases.LONGEST_WAIT))) {
                throw new StepFailedException("gave up after waiting " + BuildLeases.LONGEST_WAIT.toMinutes() + " minutes for deployment "
                        + lease.holder() + ", which builds the same inputs; deploy again");
            }
            return StepResult.Reusable.waitFor(lease.holder());
        }
        // The last holder may have made its release READY (then released the lease) after our read above.
        Optional<Release> readyNow = releases.readyReleaseFor(d.appId(), buildKey);
        if (readyNow.isPresent()) {
            leases.release(d.appId(), buildKey, d.id());
            return reuse(d, readyNow.get());
        }
        return new StepResult.Reusable(false, null, "no READY release of these inputs: building");
    }

    private StepResult reuse(Deployment d, Release ready) {
        deployments.update(d.appId(), d.id(), x -> x.withRelease(ready.id(), true));
        return new StepResult.Reusable(true, ready.id(), "reused release " + ready.id());
    }

    StepResult exportSource(Deployment d) {
        // The release id is fixed here, once, so retries of later steps write the same keys.
        Deployment withRelease = deployments.update(d.appId(), d.id(),
                x -> x.releaseId() != null ? x : x.withRelease(Ulid.next(clock.instant()).toLowerCase(Locale.ROOT), false));
        String key = SiteKeys.source(d.appId(), d.id());
        // the registry the build installs from and the lockfile's URLs point at: the app's own, else the stack's
        BuildSettings app = apps.get(d.appId()).effectiveBuild();
        BuildSettings settings = app.registry() != null ? app : app.withRegistry(stackRegistry);
        RegistryMapping registry = new RegistryMapping(settings.registry());
        BuildUrls urls;
        List<String> notes;
        Map<String, byte[]> mapped = new TreeMap<>();
        // Through a temp file, not memory: a repository may hold hundreds of MB (Lambda's /tmp is sized for it).
        Path zip = null;
        try {
            zip = Files.createTempFile("slipway-source-", ".zip");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(zip))) {
                // builder exports pin packages to the builder's private npm cache: the build gets them from the registry
                notes = sources.exportZip(d.appId(), withRelease.commit(), out, registry, mapped);
            }
            if (!mapped.isEmpty()) {
                // the lockfile the build installs from differs from the commit's: offered as a commit (LockfileCommit)
                files.s3().putObject(r -> r.bucket(files.bucket()).key(SiteKeys.buildLockfile(d.appId(), d.id()))
                        .contentType(BuildUrls.LOCKFILE_TYPE), RequestBody.fromBytes(LockfileCommit.zip(mapped)));
            }
            Path file = zip;
            files.s3().putObject(r -> r.bucket(files.bucket()).key(key).contentType("application/zip"), RequestBody.fromFile(file));
            // The target's scope, so a preview's build never gets a production-only value.
            urls = buildInputs.prepare(d.appId(), d.id(), d.target().scope(), zip, settings);
        } catch (IOException e) {
            throw new TransientStepException("could not export commit " + withRelease.commit() + ": " + e.getMessage());
        } finally {
            if (zip != null) {
                try {
                    Files.deleteIfExists(zip);
                } catch (IOException ignored) {
                    // /tmp is per container and cleaned with it
                }
            }
        }
        return new StepResult.Exported(withRelease.releaseId(), Json.write(settings), urls.source(), urls.environment(), urls.output(), urls.log(),
                urls.cacheGet(), urls.cachePut(), urls.lockfile(), urls.expiresAt().toString(), String.join("\n", notes));
    }

    StepResult stage(Deployment d, String buildKey) {
        String releaseId = requireRelease(d);
        buildInputs.removeEnvironment(d.appId(), d.id()); // the build has ended: its values go now, not with the deployment
        Release staged = new Release(d.appId(), releaseId, d.commit(), d.tree(), buildKey, "build", ReleaseStatus.STAGED,
                0, 0, clock.instant(), null, d.id(), commitMessage(d), d.startedBy());
        try {
            releases.putStaged(staged);
        } catch (WriteConflict e) {
            // READY already (a redelivered stage after verify): nothing to stage again.
            return new StepResult.Staged(releaseId, null, null, "already staged");
        }
        Manifest m;
        try (InputStream zip = files.s3().getObject(r -> r.bucket(files.bucket()).key(SiteKeys.output(d.appId(), d.id())))) {
            ReleaseFiles.StagedOutput out = files.stageBuildOutput(d.appId(), releaseId, zip);
            m = out.manifest();
            if (out.server() != null) {
                releases.putStaged(staged.withServer(out.server())); // still STAGED: the release now names its server
            }
        } catch (NoSuchKeyException e) {
            throw new StepFailedException("the build finished without uploading its output");
        } catch (IllegalArgumentException e) {
            throw new StepFailedException("the build output cannot be served: " + e.getMessage());
        } catch (IOException e) {
            throw new TransientStepException("reading the build output failed: " + e.getMessage());
        }
        return new StepResult.Staged(releaseId, m.files().size(), m.totalBytes(), m.files().size() + " files, " + m.totalBytes() + " bytes");
    }

    StepResult verify(Deployment d) {
        String releaseId = requireRelease(d);
        Release r = releases.get(d.appId(), releaseId).orElseThrow(() -> new StepFailedException("release " + releaseId + " was never staged"));
        if (r.status() == ReleaseStatus.READY) {
            releaseBuildLease(r, d); // a retry after markReady: the lease may still be held
            return new StepResult.Staged(releaseId, null, null, "already READY");
        }
        Manifest m = files.manifest(d.appId(), releaseId).orElseThrow(() -> new StepFailedException("release " + releaseId + " has no manifest"));
        List<String> problems = files.verify(m);
        if (!problems.isEmpty()) {
            throw new StepFailedException("release files do not match the manifest: " + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
        if (r.server() != null) {
            files.verifyServer(d.appId(), releaseId, r.server()).ifPresent(problem -> {
                throw new StepFailedException("release " + releaseId + ": " + problem);
            });
            // the server must start and answer its home page before the release is READY
            promotion.publishScopeServer(r, d.target().scope());
        }
        Release ready = r.ready(m.files().size(), m.totalBytes(), clock.instant());
        releases.markReady(ready, event(d.appId(), "release.ready", "release/" + releaseId, null, Json.MAPPER.valueToTree(ready), d));
        releaseBuildLease(ready, d);
        return new StepResult.Staged(releaseId, null, null, "READY: " + m.files().size() + " files checked");
    }

    StepResult promote(Deployment d) {
        return promotion.promote(d, requireRelease(d), actor(d));
    }

    /** The Catch target: the deployment ends FAILED, a release it staged is removed, production is untouched. */
    StepResult markFailed(String appId, String deploymentId, StepInput.Caught error) {
        String reason = explained(failureReason(error), buildLogTail(appId, deploymentId));
        Optional<Deployment> found = deployments.get(appId, deploymentId);
        if (found.isEmpty()) {
            return new StepResult.Finished("FAILED", null, null);
        }
        failures.cleanUp(found.get());
        Optional<Deployment> after = failures.fail(appId, deploymentId, reason,
                new Actor(found.get().startedBy() == null ? WORKFLOW_ACTOR : found.get().startedBy(), "deployment/" + deploymentId, null));
        return new StepResult.Finished(after.map(d -> d.status().name()).orElse("FAILED"), null, reason);
    }

    // ---- helpers

    /** How much of a build log's end MarkFailed reads to explain a failure. */
    static final int LOG_TAIL_BYTES = 64 * 1024;

    /** The end of the deployment's build log, or null when there is none (the build never ran or left none). */
    private String buildLogTail(String appId, String deploymentId) {
        try (InputStream in = files.s3().getObject(r -> r.bucket(files.bucket()).key(SiteKeys.log(appId, deploymentId))
                .range("bytes=-" + LOG_TAIL_BYTES))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (NoSuchKeyException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not read the build log of {}/{}: {}", appId, deploymentId, e.toString());
            return null;
        }
    }

    /**
     * A failed build's reason starts with its {@link BuildDiagnosis}; when the reason says nothing of the log
     * (CodeBuild's "the build ended FAILED"), the log's last lines follow.
     */
    static String explained(String reason, String logTail) {
        if (logTail == null || logTail.isBlank()) {
            return reason;
        }
        StringBuilder sb = new StringBuilder();
        BuildDiagnosis.of(logTail).ifPresent(d -> sb.append(d).append('\n'));
        sb.append(reason);
        if (!reason.contains("last log lines:")) {
            List<String> lines = BuildDiagnosis.plainLines(logTail);
            List<String> last = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            sb.append("\nlast log lines:\n").append(String.join("\n", last).strip());
        }
        return sb.toString();
    }

    /** READY: deployments waiting on the build lease of these inputs now find the release (only its holder's release ends it). */
    private void releaseBuildLease(Release ready, Deployment d) {
        if (ready.buildKey() != null) {
            leases.release(d.appId(), ready.buildKey(), d.id());
        }
    }

    /** The build key of {@code tree} for {@code target}: its scope's environment values ({@link BuildKey}). */
    String buildKey(App app, String tree, DeployTarget target) {
        return BuildKey.of(app, tree, environment.values(app.id(), target.scope()));
    }

    /** The commit's message, for the release history (null when it cannot be read: it is only shown). */
    private String commitMessage(Deployment d) {
        try {
            String m = sources.resolve(d.appId(), d.commit()).message();
            return m == null ? null : m.length() > 2000 ? m.substring(0, 2000) + "…" : m;
        } catch (RuntimeException e) {
            LOG.warn("could not read the message of commit {}: {}", d.commit(), e.toString());
            return null;
        }
    }

    /** Started with {@code releaseId}: deploy an existing READY release (built or uploaded earlier). */
    private static boolean isReleaseDeployment(Deployment d) {
        return d.releaseId() != null && Boolean.TRUE.equals(d.reusedRelease()) && d.ref() != null && d.ref().startsWith("release:");
    }

    private static String requireRelease(Deployment d) {
        if (d.releaseId() == null) {
            throw new StepFailedException("deployment " + d.id() + " has no release yet");
        }
        return d.releaseId();
    }

    private static Actor actor(Deployment d) {
        return new Actor(d.startedBy() == null ? WORKFLOW_ACTOR : d.startedBy(), "deployment/" + d.id(), null);
    }

    private AuditEvent event(String appId, String action, String target, JsonNode before, JsonNode after, Deployment d) {
        return AuditEvent.next(audit.head(appId), appId, clock.instant(), actor(d), action, target, before, after);
    }

    /** Step Functions hands the Catch {Error, Cause}; a Lambda error's Cause is its JSON error. */
    static String failureReason(StepInput.Caught error) {
        String name = error.error();
        String cause = error.cause();
        try {
            JsonNode parsed = Json.parse(cause);
            if (parsed.has("errorMessage")) {
                cause = parsed.get("errorMessage").asText();
            } else if (parsed.has("Build")) {
                cause = "the build ended " + parsed.path("Build").path("BuildStatus").asText("FAILED");
            }
        } catch (RuntimeException notJson) {
            // keep as is
        }
        String reason = cause.isBlank() ? name : cause;
        if (reason.isBlank()) {
            reason = "the deploy workflow failed";
        }
        return reason.length() > 2000 ? reason.substring(0, 2000) + "…" : reason;
    }

    private static RuntimeException classify(RuntimeException e) {
        if (e instanceof UncheckedIOException || e instanceof SdkClientException
                || e instanceof WriteConflict
                || (e instanceof AwsServiceException s && (s.statusCode() >= 500 || s.isThrottlingException()))) {
            return new TransientStepException(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (e instanceof DomainException p) {
            return new StepFailedException(p.detail());
        }
        return new StepFailedException(e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    static StepResult result(Deployment d) {
        return new StepResult.Finished(d.status().name(), d.releaseId(), null);
    }

    private static String required(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new StepFailedException("deploy step input lacks \"" + field + "\"");
        }
        return v;
    }
}
