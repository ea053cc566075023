package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.deploy.store.SweepQueue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** {@link SweepQueue} in memory: candidates ordered by due time; the cursor names the last one returned. */
final class InMemorySweepQueue implements SweepQueue {
    private static final Comparator<DueSweep> ORDER = Comparator.comparingLong(DueSweep::dueAt)
            .thenComparing(DueSweep::appId).thenComparing(DueSweep::releaseId);

    private final MemoryTable t;

    InMemorySweepQueue(MemoryTable table) {
        this.t = table;
    }

    @Override
    public void put(String appId, String releaseId, Instant dueAt, String reason) {
        synchronized (t.lock) {
            t.sweepCandidate(appId, releaseId, dueAt, reason);
        }
    }

    @Override
    public DuePage due(Instant now, int limit, String cursor) {
        DueSweep after = cursor == null ? null : parse(cursor);
        synchronized (t.lock) {
            List<DueSweep> due = new ArrayList<>();
            t.apps().forEach((app, items) -> t.prefix(app, MemoryTable.SWEEP).forEach((key, v) -> {
                long at = ((MemoryTable.Sweep) v).dueAt();
                if (at <= now.toEpochMilli()) {
                    due.add(new DueSweep(app, key.substring(MemoryTable.SWEEP.length()), at));
                }
            }));
            List<DueSweep> sorted = due.stream().sorted(ORDER).filter(d -> after == null || ORDER.compare(d, after) > 0).toList();
            List<DueSweep> page = sorted.subList(0, Math.min(limit, sorted.size()));
            DueSweep last = page.isEmpty() ? null : page.get(page.size() - 1);
            return new DuePage(page, sorted.size() > limit ? last.dueAt() + "|" + last.appId() + "|" + last.releaseId() : null);
        }
    }

    private static DueSweep parse(String cursor) {
        String[] p = cursor.split("\\|", 3);
        return new DueSweep(p[1], p[2], Long.parseLong(p[0]));
    }

    @Override
    public Optional<SweepItem> find(String appId, String releaseId) {
        synchronized (t.lock) {
            return Optional.ofNullable(t.get(appId, MemoryTable.SWEEP + releaseId, MemoryTable.Sweep.class))
                    .map(s -> new SweepItem(appId, releaseId, s.dueAt(), s.reason()));
        }
    }

    @Override
    public boolean reschedule(SweepItem seen, Instant dueAt, String reason) {
        synchronized (t.lock) {
            if (!unchanged(seen)) {
                return false;
            }
            t.sweepCandidate(seen.appId(), seen.releaseId(), dueAt, reason);
            return true;
        }
    }

    @Override
    public boolean drop(SweepItem seen) {
        synchronized (t.lock) {
            if (!unchanged(seen)) {
                return false;
            }
            t.remove(seen.appId(), MemoryTable.SWEEP + seen.releaseId());
            return true;
        }
    }

    private boolean unchanged(SweepItem seen) {
        MemoryTable.Sweep s = t.get(seen.appId(), MemoryTable.SWEEP + seen.releaseId(), MemoryTable.Sweep.class);
        return s != null && s.dueAt() == seen.dueAt();
    }
}
