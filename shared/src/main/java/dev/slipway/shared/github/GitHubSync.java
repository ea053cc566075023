package dev.slipway.shared.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.auth.FailedAuthLimit;
import dev.slipway.shared.auth.Principal;
import dev.slipway.shared.auth.TokenFormat;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.NewDeployment;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.preview.NewPreview;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.imports.ImportResult;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Continuous sync from the builder's GitHub repository. {@link #configure} sets the source and answers
 * the webhook secret (once); {@link #receive} is GitHub's webhook: the signature over the raw body in
 * constant time, the delivery id claimed once, the push queued (GitHub wants an answer within 10 s);
 * {@link #run} is the worker: the pushed branch fetched through the git-URL import (its SSRF, size and
 * time rules and the secret scan unchanged) into the app's branch of the same name, then production or
 * the branch's preview deployed; a deleted branch removes its preview.
 */
public final class GitHubSync {
    private static final Pattern SIGNATURE = Pattern.compile("sha256=[0-9a-f]{64}");
    private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9-]{1,100}");
    private static final int MAX_BODY = 5 * 1024 * 1024;
    private static final int ATTEMPTS = 5;

    private final SourceStore store;
    private final SourceSecrets secrets;
    private final AppService apps;
    private final ImportService imports;
    private final DeployService deploys;
    private final Previews previews;
    private final FailedAuthLimit limit;
    private final SyncJob.Queue queue;
    private final Clock clock;

    public GitHubSync(SourceStore store, SourceSecrets secrets, AppService apps, ImportService imports, DeployService deploys,
                      Previews previews, FailedAuthLimit limit, SyncJob.Queue queue, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.apps = apps;
        this.imports = imports;
        this.deploys = deploys;
        this.previews = previews;
        this.limit = limit;
        this.queue = queue;
        this.clock = clock;
    }

    public record Configured(GitHubSource source, String webhookSecret) {
    }

    /** PUT /apps/{appId}/source: a new webhook secret each time (so a PUT also rotates it). */
    public Configured configure(String appId, NewSource request, Actor actor) {
        String app = apps.get(appId).id();
        String secret = "slwg_" + TokenFormat.randomBase62(40);
        for (int attempt = 1; ; attempt++) {
            Optional<GitHubSource> current = store.get(app);
            Instant now = clock.instant();
            GitHubSource next = new GitHubSource(app, request.repository(), request.branches(), request.token() != null, now, actor.id(),
                    current.map(c -> c.version() + 1).orElse(1L));
            try {
                secrets.put(app, secret, request.token());
                store.write(next, AuditEvent.next(store.auditHead(app), app, now, actor, "source.configured", "source/github",
                        current.map(GitHubSource::view).orElse(null), next.view()));
                return new Configured(next, secret);
            } catch (WriteConflict e) {
                if (attempt >= ATTEMPTS) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The source changed while this request ran; retry it");
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    public GitHubSource get(String appId) {
        return store.get(apps.get(appId).id())
                .orElseThrow(() -> new DomainException(DomainError.SOURCE_NOT_FOUND, "App " + appId + " has no GitHub source; PUT /apps/" + appId + "/source"));
    }

    /** What a webhook delivery came to. */
    public enum Outcome { QUEUED, IGNORED, REPLAYED, PONG }

    public record Receipt(Outcome outcome, SyncJob job, String why) {
    }

    /**
     * POST /webhooks/github/{appId}. Unknown app or no source: 404; missing or wrong signature: 401
     * (counted against the source address); a delivery id seen before: REPLAYED, nothing done. Nothing is
     * written before the signature holds.
     */
    public Receipt receive(String appId, byte[] body, String signature, String deliveryId, String event, String sourceIp) {
        GitHubSource source = appId == null || !dev.slipway.shared.apps.AppId.isValid(appId) ? null : store.get(appId).orElse(null);
        if (source == null) {
            throw new DomainException(DomainError.APP_NOT_FOUND, "No app " + appId + " with a GitHub source");
        }
        String secret = secrets.webhookSecret(appId).orElse(null);
        if (secret == null || signature == null || !SIGNATURE.matcher(signature).matches() || body.length > MAX_BODY
                || !MessageDigest.isEqual(hmac(secret, body), HexFormat.of().parseHex(signature.substring(7)))) {
            limit.recordFailure(sourceIp);
            throw new DomainException(DomainError.UNAUTHORIZED, "X-Hub-Signature-256 is missing or does not match the body");
        }
        if (deliveryId == null || !DELIVERY.matcher(deliveryId).matches()) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "X-GitHub-Delivery is missing or not a delivery id");
        }
        if ("ping".equals(event)) {
            return new Receipt(Outcome.PONG, null, "ping");
        }
        if (!"push".equals(event)) {
            return new Receipt(Outcome.IGNORED, null, "event " + event + " is not a push");
        }
        JsonNode push;
        try {
            push = Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "The push payload is not JSON");
        }
        String ref = push.path("ref").asText("");
        if (!ref.startsWith("refs/heads/")) {
            return new Receipt(Outcome.IGNORED, null, "not a branch: " + ref.replaceAll("[^\\x20-\\x7e]", "?"));
        }
        String branch = ref.substring("refs/heads/".length());
        if (!org.eclipse.jgit.lib.Repository.isValidRefName(ref) || branch.length() > 200) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "The push names an invalid branch");
        }
        Optional<String> target = source.targetOf(branch);
        if (target.isEmpty()) {
            return new Receipt(Outcome.IGNORED, null, "branch " + branch + " deploys nowhere (see the source's branches)");
        }
        String after = push.path("after").asText("");
        boolean deleted = push.path("deleted").asBoolean(false) || after.matches("0{40}");
        if (!deleted && !after.matches("[0-9a-f]{40}")) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "The push has no commit (after)");
        }
        if (!store.claimDelivery(appId, deliveryId, clock.instant())) {
            return new Receipt(Outcome.REPLAYED, null, "delivery " + deliveryId + " was received before");
        }
        SyncJob job = new SyncJob(appId, deliveryId, branch, deleted ? null : after, deleted, target.get());
        try {
            queue.enqueue(job);
        } catch (RuntimeException e) {
            store.releaseDelivery(appId, deliveryId); // GitHub's redelivery will be taken
            throw e;
        }
        return new Receipt(Outcome.QUEUED, job, null);
    }

    /** What the worker did. */
    public record Result(ImportResult imported, Deployment deployment, String preview, boolean previewRemoved) {
    }

    /** The worker: runs one queued push as the delivery ({@code github:<delivery id>}). */
    public Result run(SyncJob job) {
        Actor actor = new Actor(Principal.webhook(job.deliveryId(), job.appId()).actorId(), "github/" + job.deliveryId(), null);
        GitHubSource source = get(job.appId());
        if (job.deleted()) {
            if (!GitHubSource.PREVIEW.equals(job.target())) {
                return new Result(null, null, null, false); // production's branch deleted on GitHub: production stays
            }
            String name = Previews.nameFromRef(job.branch());
            boolean removed;
            try {
                removed = previews.delete(job.appId(), name, actor);
            } catch (DomainException e) {
                if (e.error() != DomainError.PREVIEW_NOT_FOUND) {
                    throw e;
                }
                removed = false;
            }
            return new Result(null, null, name, removed);
        }
        ImportResult imported = imports.importGit(job.appId(), job.branch(), fetchUrl(source), job.branch(), actor, true);
        if (GitHubSource.PRODUCTION.equals(job.target())) {
            Deployment d = deploys.start(job.appId(), new NewDeployment(job.branch(), DeployTarget.parse("production"), null), actor);
            return new Result(imported, d, null, false);
        }
        Previews.Created p = previews.create(job.appId(), new NewPreview(job.branch(), null, null, null), actor);
        return new Result(imported, p.deployment(), p.preview().name(), false);
    }

    /** The repository URL with the token as credentials (GitUrlImport hands them to JGit, never logs the URL). */
    private String fetchUrl(GitHubSource source) {
        Optional<String> token = source.hasToken() ? secrets.token(source.appId()) : Optional.empty();
        if (token.isEmpty()) {
            return source.repository();
        }
        URI u = URI.create(source.repository());
        return u.getScheme() + "://x-access-token:" + URLEncoder.encode(token.get(), StandardCharsets.UTF_8) + "@" + u.getRawAuthority()
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
