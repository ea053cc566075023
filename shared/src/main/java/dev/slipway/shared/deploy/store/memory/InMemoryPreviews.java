package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.store.WriteConflict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link PreviewStore} in memory; the due index is the previews' expiries. */
final class InMemoryPreviews implements PreviewStore {
    private final MemoryTable t;

    InMemoryPreviews(MemoryTable table) {
        this.t = table;
    }

    @Override
    public Optional<Preview> get(String appId, String name) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.PREVIEW + name, Preview.class));
        }
    }

    @Override
    public void put(Preview next, long expectedVersion, AuditEvent event) {
        synchronized (t.lock) {
            Preview cur = t.get(next.appId(), MemoryTable.PREVIEW + next.name(), Preview.class);
            if (expectedVersion == 0 ? cur != null : cur == null || cur.version() != expectedVersion) {
                throw MemoryTable.conflict(WriteConflict.Part.ITEM);
            }
            t.checkAudit(List.of(event));
            t.put(next.appId(), MemoryTable.PREVIEW + next.name(), next);
            t.appendAudit(List.of(event));
        }
    }

    @Override
    public void remove(Preview p, Optional<Alias> alias, AuditEvent event) {
        synchronized (t.lock) {
            Preview cur = t.get(p.appId(), MemoryTable.PREVIEW + p.name(), Preview.class);
            if (cur == null || cur.version() != p.version()) {
                throw MemoryTable.conflict(WriteConflict.Part.ITEM);
            }
            if (alias.isPresent()) {
                Alias a = t.get(p.appId(), MemoryTable.ALIAS + alias.get().name(), Alias.class);
                if (a == null || a.version() != alias.get().version()) {
                    throw MemoryTable.conflict(WriteConflict.Part.ALIAS);
                }
            }
            t.checkAudit(List.of(event));
            t.remove(p.appId(), MemoryTable.PREVIEW + p.name());
            alias.ifPresent(a -> {
                t.remove(p.appId(), MemoryTable.ALIAS + a.name());
                t.leaves(p.appId(), a.name(), a.releaseId(), event.time(), "preview " + p.name() + " removed");
            });
            t.appendAudit(List.of(event));
        }
    }

    @Override
    public PreviewPage page(String appId, int limit, String afterName) {
        synchronized (t.lock) {
            List<Preview> items = new ArrayList<>();
            boolean more = false;
            for (Map.Entry<String, Object> e : t.prefix(appId, MemoryTable.PREVIEW).entrySet()) {
                if (afterName != null && e.getKey().compareTo(MemoryTable.PREVIEW + afterName) <= 0) {
                    continue;
                }
                if (items.size() >= limit) {
                    more = true;
                    break;
                }
                items.add((Preview) e.getValue());
            }
            return new PreviewPage(items, more ? items.get(items.size() - 1).name() : null);
        }
    }

    @Override
    public List<DuePreview> due(Instant now, int limit) {
        synchronized (t.lock) {
            List<Preview> due = new ArrayList<>();
            t.apps().forEach((app, items) -> t.prefix(app, MemoryTable.PREVIEW).values().stream().map(Preview.class::cast)
                    .filter(p -> !p.expiresAt().isAfter(now)).forEach(due::add));
            return due.stream().sorted(Comparator.comparing(Preview::expiresAt)).limit(limit)
                    .map(p -> new DuePreview(p.appId(), p.name())).toList();
        }
    }
}
