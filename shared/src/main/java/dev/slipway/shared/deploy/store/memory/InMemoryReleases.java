package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.store.WriteConflict;

import java.util.List;
import java.util.Optional;

/** {@link ReleaseStore} in memory, with the DynamoDB one's status conditions. */
final class InMemoryReleases implements ReleaseStore {
    private final MemoryTable t;

    InMemoryReleases(MemoryTable table) {
        this.t = table;
    }

    private Release current(String appId, String id) {
        return t.get(appId, MemoryTable.RELEASE + id, Release.class);
    }

    private void store(Release r) {
        t.put(r.appId(), MemoryTable.RELEASE + r.id(), r);
    }

    private boolean is(Release r, ReleaseStatus status) {
        Release cur = current(r.appId(), r.id());
        return cur != null && cur.status() == status;
    }

    @Override
    public void putStaged(Release r) {
        synchronized (t.lock) {
            Release cur = current(r.appId(), r.id());
            if (cur != null && cur.status() != ReleaseStatus.STAGED) {
                throw new WriteConflict(WriteConflict.Part.RELEASE, "release " + r.id() + " is already " + cur.status().name());
            }
            store(r);
        }
    }

    @Override
    public Optional<Release> get(String appId, String id) {
        synchronized (t.lock) {
            return Optional.ofNullable(current(appId, id));
        }
    }

    @Override
    public ReleasePage page(String appId, int limit, String cursor) {
        synchronized (t.lock) {
            var page = MemoryPages.newestFirst(t, appId, MemoryTable.RELEASE, limit, cursor, Release.class);
            return new ReleasePage(page.items(), page.next());
        }
    }

    @Override
    public Optional<Release> readyReleaseFor(String appId, String buildKey) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.BUILD + buildKey, String.class))
                    .map(id -> current(appId, id))
                    .filter(r -> r.status() == ReleaseStatus.READY);
        }
    }

    @Override
    public boolean markReady(Release ready, AuditEvent event) {
        synchronized (t.lock) {
            if (!is(ready, ReleaseStatus.STAGED)) {
                if (is(ready, ReleaseStatus.READY)) {
                    return false;
                }
                throw MemoryTable.conflict(WriteConflict.Part.RELEASE);
            }
            t.checkAudit(List.of(event));
            store(ready);
            if (ready.buildKey() != null) {
                t.put(ready.appId(), MemoryTable.BUILD + ready.buildKey(), ready.id());
            }
            t.sweepCandidate(ready.appId(), ready.id(), ready.readyAt().plus(UNSERVED_GRACE), "ready, never served");
            t.appendAudit(List.of(event));
            return true;
        }
    }

    @Override
    public void markFailed(Release r) {
        synchronized (t.lock) {
            Release cur = current(r.appId(), r.id());
            if (cur == null || (cur.status() != ReleaseStatus.READY && !cur.status().removal())) {
                store(r.failed());
            }
        }
    }

    @Override
    public boolean changeStatus(Release r, ReleaseStatus from) {
        synchronized (t.lock) {
            if (!is(r, from)) {
                return false;
            }
            store(r);
            return true;
        }
    }

    @Override
    public void startRemoval(Release deleting, AuditEvent event) {
        synchronized (t.lock) {
            if (!is(deleting, ReleaseStatus.RETIRING)) {
                throw MemoryTable.conflict(WriteConflict.Part.RELEASE);
            }
            t.checkAudit(List.of(event));
            store(deleting);
            t.appendAudit(List.of(event));
        }
    }

    @Override
    public void finishRemoval(Release deleted) {
        synchronized (t.lock) {
            if (!is(deleted, ReleaseStatus.DELETING)) {
                throw MemoryTable.conflict(WriteConflict.Part.RELEASE);
            }
            store(deleted);
            t.remove(deleted.appId(), MemoryTable.SWEEP + deleted.id());
        }
    }

    @Override
    public void forgetBuild(String appId, String buildKey, String releaseId) {
        synchronized (t.lock) {
            if (releaseId.equals(t.get(appId, MemoryTable.BUILD + buildKey, String.class))) {
                t.remove(appId, MemoryTable.BUILD + buildKey);
            }
        }
    }
}
