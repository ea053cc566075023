package dev.slipway.shared.apps;

import dev.slipway.shared.store.TransactionPart;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.store.WriteConflict;

import java.util.List;
import java.util.Optional;

/** Where apps are kept. Every write carries its audit event and commits with it. */
public interface AppStore {
    /** @throws WriteConflict ITEM when the id is taken */
    void create(App app, AuditEvent event);

    /** @throws WriteConflict when the app's version or audit head moved */
    void replace(App updated, long expectedVersion, AuditEvent event);

    /**
     * Like {@link #replace(App, long, AuditEvent)}, with more conditional writes (a git ref move …)
     * in the same transaction: all happen or none.
     */
    void replace(App updated, long expectedVersion, AuditEvent event, TransactionPart extra);

    Optional<App> get(String appId);

    AuditHead auditHead(String appId);

    AppPage list(int limit, String cursor);

    /** One page of apps; {@code nextCursor} is null on the last page. */
    record AppPage(List<App> apps, String nextCursor) {
    }
}
