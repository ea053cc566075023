package dev.slipway.shared.deploy.preview;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AppLanes;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.alias.PreviewAlias;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Removing previews: {@code DELETE …/previews/{name}} and the cleanup's first phase (those whose
 * expiry has passed, found through the due index). Each removal is one audited transaction (the
 * preview, its alias, its release's reference; the release becomes a sweep candidate), then the
 * edge entry goes.
 */
public final class ExpiredPreviews implements PreviewExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiredPreviews.class);
    /** The cleanup acts for nobody in particular: audit events name it. */
    public static final String CLEANUP_ACTOR = "cleanup";
    /** Apps expired in parallel. */
    static final int LANES = 8;

    private final PreviewStore previews;
    private final AliasStore aliases;
    private final AuditHeads audit;
    private final PreviewAlias alias;
    private final Clock clock;
    private final PreviewTeardown teardown;

    public ExpiredPreviews(DeployStores stores, PreviewAlias alias, Clock clock) {
        this(stores, alias, PreviewTeardown.NONE, clock);
    }

    /** @param teardown what of a removed preview's own goes after its removal (servers, values, database) */
    public ExpiredPreviews(DeployStores stores, PreviewAlias alias, PreviewTeardown teardown, Clock clock) {
        this.teardown = teardown;
        this.previews = stores.previews();
        this.aliases = stores.aliases();
        this.audit = stores.audit();
        this.alias = alias;
        this.clock = clock;
    }

    @Override
    public int expireDue(Instant now, int max) {
        AtomicInteger removed = new AtomicInteger();
        // Different apps' previews in parallel (their audit chains never meet), one app's in order.
        try (AppLanes lanes = new AppLanes(LANES)) {
            lanes.run(previews.due(now, max), PreviewStore.DuePreview::appId, () -> false, due -> {
                // The index is eventually consistent: the record decides (it may be gone or extended).
                Optional<Preview> p = previews.get(due.appId(), due.name());
                if (p.isEmpty() || p.get().expiresAt().isAfter(now)) {
                    return;
                }
                try {
                    remove(p.get(), new Actor(CLEANUP_ACTOR, null, null), "preview.expired");
                    removed.incrementAndGet();
                } catch (WriteConflict e) {
                    LOG.info("preview {} of {} changed while expiring; left for the next run", due.name(), due.appId());
                    return;
                }
                alias.syncRouter(due.appId(), due.name());
                tearDown(due.appId(), due.name());
            });
        }
        return removed.get();
    }

    /** The preview's own servers, values and database go; a failure is left to the sweeps ({@link PreviewTeardown}). */
    void tearDown(String appId, String name) {
        try {
            teardown.removed(appId, name);
        } catch (RuntimeException e) {
            LOG.warn("removing what preview {} of {} had of its own failed ({}); the sweeps remove it later", name, appId, e.toString());
        }
    }

    /** Removes the preview as read; a changed preview is a {@link WriteConflict} (only a lost audit-head race is retried). */
    void remove(Preview p, Actor actor, String action) {
        for (int attempt = 0; ; attempt++) {
            Optional<Alias> a = aliases.get(p.appId(), p.aliasName());
            ObjectNode before = p.audited();
            a.ifPresent(x -> before.put("releaseId", x.releaseId()));
            AuditEvent event = AuditEvent.next(audit.head(p.appId()), p.appId(), clock.instant(), actor, action,
                    "preview/" + p.name(), before, null);
            try {
                previews.remove(p, a, event);
                return;
            } catch (WriteConflict e) {
                if (e.part() != WriteConflict.Part.AUDIT_HEAD && e.part() != WriteConflict.Part.ALIAS || attempt >= 10) {
                    throw e;
                }
                Transactions.pauseAfterConflict(attempt); // a deployment moved its alias, or another change took the audit head: read again
            }
        }
    }
}
