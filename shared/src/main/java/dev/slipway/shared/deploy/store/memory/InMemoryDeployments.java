package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.store.WriteConflict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** {@link DeploymentStore} in memory. */
final class InMemoryDeployments implements DeploymentStore {
    private final MemoryTable t;

    InMemoryDeployments(MemoryTable table) {
        this.t = table;
    }

    @Override
    public void create(Deployment d, AuditEvent event) {
        synchronized (t.lock) {
            if (t.get(d.appId(), MemoryTable.DEPLOYMENT + d.id(), Deployment.class) != null) {
                throw MemoryTable.conflict(WriteConflict.Part.ITEM);
            }
            t.checkAudit(List.of(event));
            t.put(d.appId(), MemoryTable.DEPLOYMENT + d.id(), d);
            t.appendAudit(List.of(event));
        }
    }

    @Override
    public Optional<Deployment> get(String appId, String id) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.DEPLOYMENT + id, Deployment.class));
        }
    }

    @Override
    public DeploymentPage page(String appId, int limit, String cursor) {
        synchronized (t.lock) {
            var page = MemoryPages.newestFirst(t, appId, MemoryTable.DEPLOYMENT, limit, cursor, Deployment.class);
            return new DeploymentPage(page.items(), page.next());
        }
    }

    @Override
    public Deployment update(String appId, String id, UnaryOperator<Deployment> change) {
        synchronized (t.lock) {
            Deployment current = get(appId, id)
                    .orElseThrow(() -> new IllegalStateException("deployment " + id + " of " + appId + " does not exist"));
            Deployment next = change.apply(current);
            if (next != current) {
                t.put(appId, MemoryTable.DEPLOYMENT + id, next);
            }
            return next;
        }
    }

    @Override
    public void finish(Deployment finished, long expectedVersion, AuditEvent event) {
        synchronized (t.lock) {
            checkVersion(t, finished.appId(), finished.id(), expectedVersion);
            t.checkAudit(List.of(event));
            t.put(finished.appId(), MemoryTable.DEPLOYMENT + finished.id(), finished);
            t.appendAudit(List.of(event));
        }
    }

    /** The deployment's condition in a change: it exists at {@code expectedVersion}, else ITEM. */
    static void checkVersion(MemoryTable t, String appId, String id, long expectedVersion) {
        Deployment current = t.get(appId, MemoryTable.DEPLOYMENT + id, Deployment.class);
        if (current == null || current.version() != expectedVersion) {
            throw MemoryTable.conflict(WriteConflict.Part.ITEM);
        }
    }

    @Override
    public List<Deployment> since(String appId, Instant since) {
        String from = MemoryTable.DEPLOYMENT + Ulid.next(since).substring(0, 10).toLowerCase(Locale.ROOT);
        synchronized (t.lock) {
            List<Deployment> out = new ArrayList<>();
            t.app(appId).subMap(from, true, MemoryTable.DEPLOYMENT + "~", true).descendingMap().values()
                    .forEach(v -> out.add((Deployment) v));
            return out;
        }
    }
}
