package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.deploy.store.BuildLeases;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link BuildLeases} in memory: {@code lease#<buildKey>} per app, with the DynamoDB store's conditions. */
final class InMemoryBuildLeases implements BuildLeases {
    private final MemoryTable t;

    InMemoryBuildLeases(MemoryTable table) {
        this.t = table;
    }

    @Override
    public Lease claim(String appId, String buildKey, String deploymentId, Instant now, Instant heldUntil) {
        synchronized (t.lock) {
            Lease cur = t.get(appId, MemoryTable.LEASE + buildKey, Lease.class);
            // as DynamoDB's condition, in its epoch milliseconds: absent OR heldUntil < now OR holder = me
            if (cur == null || cur.heldUntil().toEpochMilli() < now.toEpochMilli() || cur.heldBy(deploymentId)) {
                Lease won = new Lease(appId, buildKey, deploymentId, Instant.ofEpochMilli(heldUntil.toEpochMilli()));
                t.put(appId, MemoryTable.LEASE + buildKey, won);
                return won;
            }
            return cur;
        }
    }

    @Override
    public Optional<Lease> find(String appId, String buildKey) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.LEASE + buildKey, Lease.class));
        }
    }

    @Override
    public boolean release(String appId, String buildKey, String deploymentId) {
        synchronized (t.lock) {
            Lease cur = t.get(appId, MemoryTable.LEASE + buildKey, Lease.class);
            if (cur == null || !cur.heldBy(deploymentId)) {
                return false;
            }
            t.remove(appId, MemoryTable.LEASE + buildKey);
            return true;
        }
    }

    @Override
    public int releaseHeldBy(String appId, String deploymentId) {
        synchronized (t.lock) {
            List<String> held = t.prefix(appId, MemoryTable.LEASE).entrySet().stream()
                    .filter(e -> ((Lease) e.getValue()).heldBy(deploymentId)).map(Map.Entry::getKey).toList();
            held.forEach(key -> t.remove(appId, key));
            return held.size();
        }
    }
}
