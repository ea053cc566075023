package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.store.WriteConflict;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link AliasStore} in memory: a move checks what the DynamoDB transaction's conditions check, in
 * the same order (so the same {@link WriteConflict.Part} is reported), then writes everything.
 */
final class InMemoryAliases implements AliasStore {
    private final MemoryTable t;

    InMemoryAliases(MemoryTable table) {
        this.t = table;
    }

    @Override
    public Optional<Alias> get(String appId, String name) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.ALIAS + name, Alias.class));
        }
    }

    @Override
    public Map<String, Alias> getAll(String appId, Collection<String> names) {
        synchronized (t.lock) {
            Map<String, Alias> found = new HashMap<>();
            names.forEach(n -> get(appId, n).ifPresent(a -> found.put(a.name(), a)));
            return found;
        }
    }

    @Override
    public void move(AliasMove move) {
        Alias next = move.next();
        String app = next.appId();
        AuditEvent event = move.events().get(0);
        synchronized (t.lock) {
            Alias current = t.get(app, MemoryTable.ALIAS + next.name(), Alias.class);
            if (move.expectedVersion() == 0 ? current != null : current == null || current.version() != move.expectedVersion()) {
                throw MemoryTable.conflict(WriteConflict.Part.ALIAS);
            }
            Release target = t.get(app, MemoryTable.RELEASE + next.releaseId(), Release.class);
            if (target == null || target.status() != ReleaseStatus.READY) {
                throw MemoryTable.conflict(WriteConflict.Part.RELEASE);
            }
            String historyKey = historyKey(next.name(), next.version());
            if (t.get(app, historyKey, AliasVersion.class) != null) {
                throw MemoryTable.conflict(WriteConflict.Part.ALIAS);
            }
            t.checkAudit(move.events());
            if (move.previewMustExist().isPresent() && t.get(app, MemoryTable.PREVIEW + move.previewMustExist().get(), Object.class) == null) {
                throw MemoryTable.conflict(WriteConflict.Part.ITEM);
            }
            move.finishing().ifPresent(f -> InMemoryDeployments.checkVersion(t, f.finished().appId(), f.finished().id(), f.expectedVersion()));

            t.put(app, MemoryTable.ALIAS + next.name(), next);
            t.put(app, historyKey, versionOf(next, event));
            boolean leaves = next.previousReleaseId() != null && !next.previousReleaseId().equals(next.releaseId()) && move.expectedVersion() > 0;
            if (leaves) {
                t.leaves(app, next.name(), next.previousReleaseId(), next.updatedAt(), "left by " + next.name());
            }
            t.put(app, MemoryTable.REF + next.releaseId() + "#" + next.name(), next.releaseId());
            t.appendAudit(move.events());
            move.finishing().ifPresent(f -> t.put(app, MemoryTable.DEPLOYMENT + f.finished().id(), f.finished()));
        }
    }

    private static String historyKey(String name, long version) {
        return MemoryTable.ALIAS_HISTORY + name + "#" + String.format("%019d", version);
    }

    /** As the DynamoDB store writes it: the alias's own audit event says by which action, actor and reason. */
    private static AliasVersion versionOf(Alias next, AuditEvent event) {
        return new AliasVersion(next.version(), next.releaseId(), next.previousReleaseId(), next.pinned(), event.action(),
                event.actor(), event.after() != null && event.after().hasNonNull("reason") ? event.after().get("reason").asText() : null,
                next.deploymentId(), event.seq(), next.updatedAt());
    }

    @Override
    public List<AliasVersion> history(String appId, String name, int limit) {
        synchronized (t.lock) {
            List<AliasVersion> out = new ArrayList<>();
            for (Object v : t.prefix(appId, MemoryTable.ALIAS_HISTORY + name + "#").descendingMap().values()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add((AliasVersion) v);
            }
            return out;
        }
    }

    @Override
    public boolean referenced(String appId, String releaseId) {
        synchronized (t.lock) {
            return !t.prefix(appId, MemoryTable.REF + releaseId + "#").isEmpty();
        }
    }
}
