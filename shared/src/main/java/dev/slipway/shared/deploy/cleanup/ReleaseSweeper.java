package dev.slipway.shared.deploy.cleanup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AppLanes;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.server.hosting.AppServers;
import dev.slipway.shared.deploy.server.hosting.NoAppServers;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.ContentIndex;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.store.SweepQueue;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The cleanup's second phase: looks at every sweep candidate due now ({@code sweep#<releaseId>} in the
 * DueIndex) and removes the release if nothing refers to it: no alias (ref items, and
 * {@code alias#production} itself, which legacy aliases need), no RUNNING deployment, not one of the
 * app's last N production releases.
 * <p>
 * Removal is lock-then-verify, so it cannot race an alias move onto the release: (a) one conditional
 * write READY/STAGED/FAILED → RETIRING (alias moves ConditionCheck READY, so none can start pointing here
 * after it), (b) the references are read again, fresh; if one appeared the status is put back, (c)
 * RETIRING → DELETING with the one {@code release.removed} audit event, (d) the content index entries
 * pointing into the release, its build-key pointer, its files, its manifest last, (e) DELETING → DELETED
 * (a tombstone) with the candidate removed. A run that dies anywhere is finished by the next one (the
 * candidate stays due until (e)); every step is safe to repeat.
 */
public final class ReleaseSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseSweeper.class);
    /**
     * How long a deployment may be RUNNING: the deploy state machine's worst case (every Lambda task
     * 6 × 900 s with back-off, the build 4 × (30 min queued + 20 min), MarkFailed 7 × 900 s, up to 70 min
     * waiting for another deployment's build of the same inputs: well under 48 h;
     * {@code DeployWindowTest} recomputes it from the template). Older RUNNING items are dead executions.
     */
    public static final Duration DEPLOY_WINDOW = Duration.ofHours(48);
    public static final Duration RETAINED_RECHECK = Duration.ofHours(24);
    public static final Duration RUNNING_RECHECK = Duration.ofHours(1);
    /** A direct upload not finalized by then is removed. */
    public static final Duration UPLOAD_GRACE = SweepQueue.UPLOAD_GRACE;
    /** The candidate reason a direct upload's create writes. */
    public static final String UPLOAD_NOT_FINALIZED = SweepQueue.UPLOAD_NOT_FINALIZED;
    public static final String REMOVED = "release.removed";
    static final int PAGE = 100;
    /** Apps looked at in parallel: each lane waits on round trips most of its time. */
    static final int LANES = 8;

    /** Why a candidate was not removed. */
    public enum Kept { ALIAS, RUNNING, RETAINED, FINALIZED, BUSY }

    private final AppService apps;
    private final DeploymentStore deployments;
    private final ReleaseStore releases;
    private final AliasStore aliases;
    private final ContentIndex content;
    private final SweepQueue sweeps;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final Clock clock;
    private final AppServers servers;

    /** A sweeper for a stack without app servers (a release's bundle still goes with its files). */
    public ReleaseSweeper(AppService apps, DeployStores stores, ReleaseFiles files, Clock clock) {
        this(apps, stores, files, clock, new NoAppServers());
    }

    public ReleaseSweeper(AppService apps, DeployStores stores, ReleaseFiles files, Clock clock, AppServers servers) {
        this.servers = servers;
        this.apps = apps;
        this.deployments = stores.deployments();
        this.releases = stores.releases();
        this.aliases = stores.aliases();
        this.content = stores.content();
        this.sweeps = stores.sweeps();
        this.audit = stores.audit();
        this.files = files;
        this.clock = clock;
    }

    /** The sweeper's clock now (the cleanup sweeps what phase 1 made due by then). */
    Instant now() {
        return clock.instant();
    }

    /** What one run did. {@code complete}: every candidate due by {@code now} was looked at. */
    public record Result(int examined, int removed, Map<Kept, Integer> kept, long files, long bytes, int errors, boolean complete) {
    }

    /** A release the sweep removed (or finished removing): files and bytes as its audit event says. */
    record Removal(long files, long bytes, boolean audited) {
    }

    /**
     * Everything due by {@code now}, until {@code outOfTime}; what is left is done by the next run.
     * Candidates of different apps are looked at in parallel ({@link AppLanes}), one app's in order.
     */
    public Result sweep(Instant now, BooleanSupplier outOfTime, Actor actor) {
        AtomicInteger examined = new AtomicInteger(),
                removed = new AtomicInteger(), errors = new AtomicInteger();
        AtomicLong fileCount = new AtomicLong(),
                byteCount = new AtomicLong();
        AtomicBoolean stopped = new AtomicBoolean();
        Map<Kept, Integer> kept = new ConcurrentHashMap<>();
        Map<String, Facts> cached = new ConcurrentHashMap<>();
        String start = null;
        try (AppLanes lanes = new AppLanes(LANES)) {
            do {
                SweepQueue.DuePage page = sweeps.due(now, PAGE, start);
                lanes.run(page.items(), SweepQueue.DueSweep::appId, () -> {
                    if (outOfTime.getAsBoolean()) {
                        stopped.set(true);
                    }
                    return stopped.get();
                }, due -> {
                    examined.incrementAndGet();
                    try {
                        Outcome o = examine(due, now, actor, cached);
                        if (o.kept() != null) {
                            kept.merge(o.kept(), 1, Integer::sum);
                        } else if (o.removal() != null && o.removal().audited()) {
                            removed.incrementAndGet();
                            fileCount.addAndGet(o.removal().files());
                            byteCount.addAndGet(o.removal().bytes());
                        }
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        LOG.warn("cleanup of release {} of {} failed (the next run retries): {}", due.releaseId(), due.appId(), e.toString());
                    }
                });
                start = page.next();
            } while (start != null && !stopped.get());
        }
        return new Result(examined.get(), removed.get(), new TreeMap<>(kept), fileCount.get(), byteCount.get(), errors.get(), !stopped.get());
    }

    private record Outcome(Kept kept, Removal removal) {
        static final Outcome NOTHING = new Outcome(null, null);
    }

    private Outcome examine(SweepQueue.DueSweep due, Instant now, Actor actor, Map<String, Facts> cached) {
        // The index is eventually consistent: the item decides (it may be gone, or due later now).
        Optional<SweepQueue.SweepItem> item = sweeps.find(due.appId(), due.releaseId());
        if (item.isEmpty() || item.get().dueAt() > now.toEpochMilli()) {
            return Outcome.NOTHING;
        }
        SweepQueue.SweepItem sweep = item.get();
        Optional<Release> found = releases.get(sweep.appId(), sweep.releaseId());
        if (found.isEmpty()) {
            // A direct upload that died between its file list and its record: only the list is left.
            files.s3().deleteObject(d -> d.bucket(files.bucket()).key(SiteKeys.pending(sweep.appId(), sweep.releaseId())));
            sweeps.drop(sweep);
            return Outcome.NOTHING;
        }
        Release r = found.get();
        boolean upload = UPLOAD_NOT_FINALIZED.equals(sweep.reason());
        switch (r.status()) {
            case DELETED -> {
                sweeps.drop(sweep);
                return Outcome.NOTHING;
            }
            case DELETING -> {
                return new Outcome(null, finish(r, null, null, actor));
            }
            case RETIRING -> {
                // A run died after the lock: decide again, on fresh facts.
                Kept k = references(r, upload, facts(r.appId(), now));
                if (k != null) {
                    releases.changeStatus(r.withStatus(r.readyAt() != null ? ReleaseStatus.READY : ReleaseStatus.STAGED), ReleaseStatus.RETIRING);
                    return new Outcome(keep(sweep, k, now), null);
                }
                return new Outcome(null, finish(r, ReleaseStatus.RETIRING, sweep, actor));
            }
            default -> {
                if (upload && r.status() == ReleaseStatus.READY) {
                    // Finalized in time: an upload's candidate has nothing more to say (alias moves add their own).
                    sweeps.drop(sweep);
                    return new Outcome(Kept.FINALIZED, null);
                }
                Kept k = references(r, upload, cached.computeIfAbsent(r.appId(), a -> facts(a, now)));
                if (k != null) {
                    return new Outcome(keep(sweep, k, now), null);
                }
                ReleaseStatus before = r.status();
                // (a) the lock: from here no alias can move onto it, no deploy can reuse it.
                if (!releases.changeStatus(r.withStatus(ReleaseStatus.RETIRING), before)) {
                    return new Outcome(Kept.BUSY, null); // it changed under us; the next run looks again
                }
                // (b) verify on fresh facts: a move or a deployment may have got in before the lock. The
                // retained set is not read again: a release only joins it by production moving onto it,
                // which the fresh production alias and ref items show.
                Facts known = cached.get(r.appId());
                Facts fresh = new Facts(aliases.get(r.appId(), Alias.PRODUCTION), running(r.appId(), now),
                        known != null ? known.retained() : facts(r.appId(), now).retained());
                cached.put(r.appId(), fresh);
                k = references(r, upload, fresh);
                if (k != null) {
                    releases.changeStatus(r, ReleaseStatus.RETIRING);
                    return new Outcome(keep(sweep, k, now), null);
                }
                return new Outcome(null, finish(r.withStatus(ReleaseStatus.RETIRING), before, sweep, actor));
            }
        }
    }

    /** Drops the candidate (an alias refers: its next move re-adds it) or looks again later. */
    private Kept keep(SweepQueue.SweepItem sweep, Kept why, Instant now) {
        switch (why) {
            case ALIAS -> sweeps.drop(sweep);
            case RUNNING -> sweeps.reschedule(sweep, now.plus(RUNNING_RECHECK), sweep.reason());
            default -> sweeps.reschedule(sweep, now.plus(RETAINED_RECHECK), sweep.reason());
        }
        return why;
    }

    /** What refers to an app's releases, read once per app and run (and fresh after each lock). */
    public record Facts(Optional<Alias> production, List<Deployment> running, Set<String> retained) {
    }

    Facts facts(String appId, Instant now) {
        int n;
        try {
            n = apps.get(appId).effectiveRetainReleases();
        } catch (DomainException e) {
            n = App.DEFAULT_RETAIN_RELEASES;
        }
        return new Facts(aliases.get(appId, Alias.PRODUCTION), running(appId, now), retained(appId, n));
    }

    /** The app's RUNNING deployments (only those of the last {@link #DEPLOY_WINDOW} can still run). */
    private List<Deployment> running(String appId, Instant now) {
        return deployments.since(appId, now.minus(DEPLOY_WINDOW)).stream()
                .filter(d -> d.status() == Deployment.Status.RUNNING).toList();
    }

    /** The app's last {@code n} distinct production releases, newest first, from the alias's history. */
    Set<String> retained(String appId, int n) {
        Set<String> out = new LinkedHashSet<>();
        for (int limit = Math.max(10, 2 * n); ; limit *= 4) {
            List<AliasVersion> history = aliases.history(appId, Alias.PRODUCTION, limit);
            out.clear();
            for (AliasVersion m : history) {
                out.add(m.releaseId());
                if (out.size() >= n) {
                    return out;
                }
            }
            if (history.size() < limit || limit > 100_000) {
                return out;
            }
        }
    }

    /** Why the release must stay, or null. */
    public static Kept references(Release r, boolean upload, Facts f, AliasStore aliases) {
        if (aliases.referenced(r.appId(), r.id()) || f.production().map(a -> a.releaseId().equals(r.id())).orElse(false)) {
            return Kept.ALIAS;
        }
        for (Deployment d : f.running()) {
            // No release yet (resolving, looking for one to reuse): a built release may be about to be reused.
            if (r.id().equals(d.releaseId()) || (d.releaseId() == null && r.buildKey() != null)) {
                return Kept.RUNNING;
            }
        }
        if (!upload || r.status() == ReleaseStatus.READY) {
            if (f.retained().contains(r.id())) {
                return Kept.RETAINED;
            }
        }
        return null;
    }

    private Kept references(Release r, boolean upload, Facts f) {
        return references(r, upload, f, aliases);
    }

    /**
     * (c)–(e) for a RETIRING release ({@code before}: its status before the lock; null when resuming a
     * DELETING one, whose audit event exists already).
     */
    private Removal finish(Release r, ReleaseStatus before, SweepQueue.SweepItem sweep, Actor actor) {
        String prefix = SiteKeys.releasePrefix(r.appId(), r.id());
        Removal removal = new Removal(0, 0, false);
        Release deleting = r.withStatus(ReleaseStatus.DELETING);
        if (r.status() == ReleaseStatus.RETIRING) {
            long n = 0, bytes = 0;
            for (S3Object o : files.s3().listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(files.bucket()).prefix(prefix).build()).contents()) {
                n++;
                bytes += o.size();
            }
            String reason = sweep != null && UPLOAD_NOT_FINALIZED.equals(sweep.reason()) ? "upload-not-finalized" : "unreferenced";
            ObjectNode after = Json.object();
            after.put("reason", reason);
            after.put("files", n);
            after.put("bytes", bytes);
            if (sweep != null && sweep.reason() != null) {
                after.put("candidate", sweep.reason());
            }
            ObjectNode was = Json.object();
            was.put("status", before == null ? ReleaseStatus.RETIRING.name() : before.name());
            if (!audited(deleting, was, after, actor)) {
                return removal; // another run took it from here
            }
            removal = new Removal(n, bytes, true);
        }
        // (d) the content index first (a direct upload copies from there), the manifest last (it tells a
        // resumed run whether the index was done: the index lists shas only the manifest knows).
        Optional<Manifest> manifest = files.manifest(r.appId(), r.id());
        manifest.ifPresent(m -> forgetContent(r.appId(), prefix, m));
        if (r.buildKey() != null) {
            releases.forgetBuild(r.appId(), r.buildKey(), r.id());
        }
        if (r.server() != null) {
            // what serves the release stops before its bundle goes (a missing one is fine: a resumed run)
            servers.remove(r.appId(), r.id());
            files.deleteServer(r.appId(), r.id());
        }
        files.deletePrefix(prefix);
        files.s3().deleteObject(d -> d.bucket(files.bucket()).key(SiteKeys.pending(r.appId(), r.id())));
        files.s3().deleteObject(d -> d.bucket(files.bucket()).key(SiteKeys.manifest(r.appId(), r.id())));
        // (e)
        try {
            releases.finishRemoval(deleting.withStatus(ReleaseStatus.DELETED));
        } catch (WriteConflict e) {
            // Another run finished it.
        }
        return removal;
    }

    /** RETIRING → DELETING with its audit event; false if another run got there first. */
    private boolean audited(Release deleting, ObjectNode before, ObjectNode after, Actor actor) {
        for (int attempt = 0; ; attempt++) {
            AuditEvent event = AuditEvent.next(audit.head(deleting.appId()), deleting.appId(), clock.instant(), actor,
                    REMOVED, "release/" + deleting.id(), before, after);
            try {
                releases.startRemoval(deleting, event);
                return true;
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.RELEASE) {
                    return false;
                }
                if (attempt >= 20) {
                    throw e;
                }
                try {
                    Thread.sleep(5L + attempt * 5L);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Content index entries that point into this release go (conditionally: a re-pointed entry stays). */
    private void forgetContent(String appId, String prefix, Manifest m) {
        Set<String> shas = new LinkedHashSet<>();
        m.files().forEach(f -> shas.add(f.sha256()));
        content.known(appId, shas).forEach((sha, doc) -> {
            String key = doc != null && doc.startsWith("{") ? Json.parse(doc).path("key").asText("") : doc;
            if (key != null && key.startsWith(prefix)) {
                content.forget(appId, sha, doc);
            }
        });
    }
}
