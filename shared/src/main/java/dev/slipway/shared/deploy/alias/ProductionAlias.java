package dev.slipway.shared.deploy.alias;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Locale;
import java.util.List;
import java.util.Optional;

/**
 * The one place that moves {@code production}: a deployment's promotion (the deploy workflow's
 * PromoteRelease), rollback, promote, pin and unpin. Every change is one compare-and-set on the alias
 * version with its audit event and its history item, all or nothing ({@link AliasStore#move}); then
 * the router is pointed at the release the alias names <em>now</em> (re-read, and read again after
 * pointing), so a slow router call of an earlier move cannot leave the edge behind a later one.
 * <p>
 * A lost compare-and-set is {@code concurrent-modification} for the API (the caller decided on a
 * state that no longer holds); only a lost race on the audit head alone, with the alias unchanged,
 * is retried here.
 */
public final class ProductionAlias {
    private static final Logger LOG = LoggerFactory.getLogger(ProductionAlias.class);
    public static final String ROLLBACK = "rollback";
    public static final String PROMOTE = "promote";
    public static final String PIN = "pin";
    public static final String UNPIN = "unpin";
    /** A deployment's promotion (the deploy workflow). */
    public static final String DEPLOY_MOVE = "alias.moved";
    static final int MAX_REASON = 500;

    private final AppService apps;
    private final AliasStore aliases;
    private final ReleaseStore releases;
    private final DeploymentStore deployments;
    private final AuditHeads audit;
    private final ReleaseManifests files;
    private final Router router;
    private final Clock clock;

    public ProductionAlias(AppService apps, DeployStores stores, ReleaseManifests files, Router router, Clock clock) {
        this.apps = apps;
        this.aliases = stores.aliases();
        this.releases = stores.releases();
        this.deployments = stores.deployments();
        this.audit = stores.audit();
        this.files = files;
        this.router = router;
        this.clock = clock;
    }

    /** What a change did: the alias before (null: there was none) and after; whether the edge was updated. */
    public record Change(Alias before, Alias after, boolean routed, long tookMs) {
    }

    /** A page of an app's releases, newest first, and production's alias (to name the release it serves). */
    public record History(ReleaseStore.ReleasePage releases, Optional<Alias> production) {
    }

    /** GET /apps/{app}/releases: the release history with production's alias, read once for the page. */
    public History history(String appId, int limit, String cursor) {
        String app = apps.get(appId).id();
        ReleaseStore.ReleasePage page = releases.page(app, limit, cursor);
        return new History(page, aliases.get(app, Alias.PRODUCTION));
    }

    // ---- the API

    /** Production returns to {@code releaseId}, or to the release it pointed at before the current one; then it is pinned. */
    public Change rollback(String appId, String releaseId, String reason, Actor actor) {
        String app = apps.get(appId).id();
        return change(app, ROLLBACK, actor, reason, current -> {
            if (releaseId != null) {
                return readyRelease(app, releaseId);
            }
            Alias a = current.orElseThrow(() -> new DomainException(DomainError.NOTHING_TO_ROLL_BACK,
                    "App " + app + " has never been deployed"));
            if (a.previousReleaseId() == null) {
                throw new DomainException(DomainError.NOTHING_TO_ROLL_BACK,
                        "Production of " + app + " has no earlier release than " + a.releaseId());
            }
            return readyRelease(app, a.previousReleaseId());
        }, current -> true);
    }

    /** Production moves to any READY release, without a build; a pin stays as it is. */
    public Change promote(String appId, String releaseId, Actor actor) {
        String app = apps.get(appId).id();
        return change(app, PROMOTE, actor, null, current -> readyRelease(app, releaseId),
                current -> current.map(Alias::pinned).orElse(false));
    }

    /** Pins (deployments stop moving production) or unpins it; production stays where it is. */
    public Change pin(String appId, boolean pinned, Actor actor) {
        String app = apps.get(appId).id();
        return change(app, pinned ? PIN : UNPIN, actor, null, current -> current.map(Alias::releaseId).orElseThrow(() ->
                new DomainException(DomainError.NOTHING_TO_ROLL_BACK, "App " + app + " has no production release to " + (pinned ? "pin" : "unpin"))),
                current -> pinned);
    }

    private interface Target {
        String releaseId(Optional<Alias> current);
    }

    private interface Pin {
        boolean pinned(Optional<Alias> current);
    }

    private Change change(String appId, String action, Actor actor, String reason, Target target, Pin pin) {
        long started = System.nanoTime();
        if (reason != null && reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON) + "…";
        }
        Long seen = null;
        for (int attempt = 0; ; attempt++) {
            Optional<Alias> current = aliases.get(appId, Alias.PRODUCTION);
            long version = current.map(Alias::version).orElse(0L);
            if (seen != null && seen != version) {
                throw moved(appId);
            }
            seen = version;
            String releaseId = target.releaseId(current);
            try {
                Alias next = write(appId, current, releaseId, pin.pinned(current), action, actor, reason, null);
                boolean routed = syncRouter(appId);
                return new Change(current.orElse(null), next, routed, (System.nanoTime() - started) / 1_000_000);
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.RELEASE) {
                    throw new DomainException(DomainError.RELEASE_NOT_READY, "Release " + releaseId + " is not READY");
                }
                boolean retryable = e.part() == WriteConflict.Part.AUDIT_HEAD || e.part() == WriteConflict.Part.UNKNOWN;
                if (!retryable || attempt >= 20) {
                    throw moved(appId);
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    private static DomainException moved(String appId) {
        return new DomainException(DomainError.CONCURRENT_MODIFICATION,
                "Production of " + appId + " changed while this request ran; read it again and retry");
    }

    /** A READY release of the app whose files still exist, or the problem saying why not. */
    String readyRelease(String appId, String releaseId) {
        if (releaseId == null || !Ulid.isValid(releaseId.toUpperCase(Locale.ROOT))) {
            throw new DomainException(DomainError.RELEASE_NOT_FOUND, "No release has the id \""
                    + (releaseId == null ? "" : releaseId.length() > 40 ? releaseId.substring(0, 40) + "…" : releaseId) + "\"");
        }
        String id = releaseId.toLowerCase(Locale.ROOT);
        Release r = releases.get(appId, id).orElseThrow(() ->
                new DomainException(DomainError.RELEASE_NOT_FOUND, "App " + appId + " has no release " + id));
        if (r.status() != ReleaseStatus.READY) {
            throw new DomainException(DomainError.RELEASE_NOT_READY, "Release " + id + " is " + r.status() + "; only READY releases can serve production");
        }
        if (!files.manifestExists(appId, id)) {
            throw new DomainException(DomainError.RELEASE_FILES_GONE, "The files of release " + id + " no longer exist");
        }
        return id;
    }

    // ---- the one write

    /**
     * A deployment's promotion ({@code running}, as read, still RUNNING): production moves to
     * {@code releaseId} and the deployment ends SUCCEEDED, all or nothing, with both audit events
     * ({@code alias.moved}, {@code deployment.succeeded}). A pinned production stays: the deployment
     * ends SUCCEEDED as staged, not promoted ({@code deployment.staged}), and the answer is empty.
     * A lost race is a {@link WriteConflict}; the caller decides again on fresh state.
     */
    public Optional<Alias> promoteDeployment(Deployment running, String releaseId, Actor actor) {
        String appId = running.appId();
        Optional<Alias> current = aliases.get(appId, Alias.PRODUCTION);
        if (current.map(Alias::pinned).orElse(false)) {
            String note = "staged, production pinned (production stays at " + current.get().releaseId() + ")";
            Deployment done = running.withStepEnded("PromoteRelease", "staged, production pinned", clock.instant())
                    .stagedNotPromoted(note, clock.instant());
            deployments.finish(done, running.version(), AuditEvent.next(audit.head(appId), appId, clock.instant(), actor,
                    "deployment.staged", "deployment/" + running.id(), null, done.audited()));
            return Optional.empty();
        }
        Deployment done = running.withStepEnded("PromoteRelease", "succeeded", clock.instant()).succeeded(clock.instant());
        return Optional.of(write(appId, current, releaseId, false, DEPLOY_MOVE, actor, null, new Finish(done, running.version())));
    }

    private record Finish(Deployment done, long version) {
    }

    /**
     * One compare-and-set from {@code current} to {@code releaseId} with its audit event
     * ({@code action}, the alias before and after, the reason); {@code finish}, when given, also ends
     * the deployment ({@code deployment.succeeded}) in the same write. Nothing is retried here.
     */
    private Alias write(String appId, Optional<Alias> current, String releaseId, boolean pinned, String action, Actor actor,
                        String reason, Finish finish) {
        long expected = current.map(Alias::version).orElse(0L);
        boolean sameRelease = current.map(a -> a.releaseId().equals(releaseId)).orElse(false);
        String previous = sameRelease ? current.get().previousReleaseId() : current.map(Alias::releaseId).orElse(null);
        String deploymentId = finish != null ? finish.done().id() : sameRelease ? current.get().deploymentId() : null;
        Alias next = new Alias(appId, Alias.PRODUCTION, releaseId, expected + 1, clock.instant(), deploymentId, pinned, previous);
        ObjectNode after = Json.MAPPER.valueToTree(next);
        if (reason != null) {
            after.put("reason", reason);
        }
        AuditEvent event = AuditEvent.next(audit.head(appId), appId, clock.instant(), actor, action,
                "alias/" + Alias.PRODUCTION, current.<JsonNode>map(Json.MAPPER::valueToTree).orElse(null), after);
        if (finish == null) {
            aliases.move(AliasMove.of(next, expected, List.of(event)));
        } else {
            AuditEvent succeeded = AuditEvent.next(event.asHead(), appId, clock.instant(), actor, "deployment.succeeded",
                    "deployment/" + finish.done().id(), null, finish.done().audited());
            aliases.move(AliasMove.of(next, expected, List.of(event, succeeded)).finishing(finish.done(), finish.version()));
        }
        return next;
    }

    /**
     * Points the router at the release the alias names now, and again while the alias moves under
     * it: whoever writes the router last reads the alias after writing, so the edge ends where the
     * alias is. Returns false when the router could not be reached (the move stands).
     */
    public boolean syncRouter(String appId) {
        try {
            pointRouter(appId);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("router update for {} failed: {}", appId, e.toString());
            return false;
        }
    }

    /** {@link #syncRouter}, failing when the router cannot be reached (the deploy workflow retries). */
    public void pointRouter(String appId) {
        String pointed = null;
        for (int i = 0; i < 20; i++) {
            Optional<Alias> a = aliases.get(appId, Alias.PRODUCTION);
            if (a.isEmpty() || a.get().releaseId().equals(pointed)) {
                return;
            }
            router.point(appId, a.get().releaseId());
            pointed = a.get().releaseId();
        }
    }
}
