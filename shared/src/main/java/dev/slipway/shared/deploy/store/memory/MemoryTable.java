package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.store.WriteConflict;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The in-memory stores' one table: per app, items by the same sort keys the DynamoDB table uses
 * ({@code release#<id>}, {@code alias#<name>} …), each holding its record. Every store method takes
 * {@link #lock}, checks every condition of its change first and then applies all of it, so a
 * change is all or nothing and concurrent writers are serialised, as a DynamoDB transaction is.
 */
final class MemoryTable {
    static final String RELEASE = "release#";
    static final String DEPLOYMENT = "deployment#";
    static final String ALIAS = "alias#";
    static final String ALIAS_HISTORY = "aliasv#";
    static final String BUILD = "build#";
    static final String CONTENT = "content#";
    static final String PREVIEW = "preview#";
    static final String SWEEP = "sweep#";
    static final String REF = "ref#";
    static final String LEASE = "lease#";

    final Object lock = new Object();
    final MemoryAuditChain audit = new MemoryAuditChain(lock);
    private final Map<String, TreeMap<String, Object>> apps = new HashMap<>();

    /** A sweep candidate: due from {@code dueAt} (epoch ms). */
    record Sweep(long dueAt, String reason) {
    }

    NavigableMap<String, Object> app(String appId) {
        return apps.computeIfAbsent(appId, a -> new TreeMap<>());
    }

    Map<String, TreeMap<String, Object>> apps() {
        return apps;
    }

    <T> T get(String appId, String key, Class<T> type) {
        TreeMap<String, Object> items = apps.get(appId);
        return items == null ? null : type.cast(items.get(key));
    }

    void put(String appId, String key, Object value) {
        app(appId).put(key, value);
    }

    void remove(String appId, String key) {
        TreeMap<String, Object> items = apps.get(appId);
        if (items != null) {
            items.remove(key);
        }
    }

    /** The items under {@code prefix}, in key order. */
    NavigableMap<String, Object> prefix(String appId, String prefix) {
        return app(appId).subMap(prefix, true, prefix + Character.MAX_VALUE, false);
    }

    static WriteConflict conflict(WriteConflict.Part part) {
        return new WriteConflict(part, "condition failed on " + part);
    }

    void sweepCandidate(String appId, String releaseId, Instant dueAt, String reason) {
        put(appId, SWEEP + releaseId, new Sweep(dueAt.toEpochMilli(), reason));
    }

    /** Alias {@code aliasName} no longer points at {@code releaseId}: its ref goes, the release becomes a sweep candidate. */
    void leaves(String appId, String aliasName, String releaseId, Instant at, String reason) {
        remove(appId, REF + releaseId + "#" + aliasName);
        sweepCandidate(appId, releaseId, at, reason);
    }

    void checkAudit(List<AuditEvent> events) {
        audit.check(events);
    }

    void appendAudit(List<AuditEvent> events) {
        audit.append(events);
    }
}
