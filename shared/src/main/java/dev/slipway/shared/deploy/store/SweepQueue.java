package dev.slipway.shared.deploy.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Releases the cleanup should look at, by when ({@code sweep#<releaseId>} in the due index). Asking
 * is idempotent (a later ask replaces an earlier one); the cleanup decides, never the asker. Alias
 * moves, {@code markReady} and preview removals ask in their own writes.
 */
public interface SweepQueue {
    /** A direct upload not finalized by then is removed. */
    Duration UPLOAD_GRACE = Duration.ofHours(24);
    /** The candidate reason a direct upload's create writes. */
    String UPLOAD_NOT_FINALIZED = "upload not finalized";

    /** Asks the cleanup to look at the release from {@code dueAt} on. */
    void put(String appId, String releaseId, Instant dueAt, String reason);

    /** A candidate as the due index names it. */
    record DueSweep(String appId, String releaseId, long dueAt) {
    }

    /** {@code next}: an opaque cursor for the following page, or null. */
    record DuePage(List<DueSweep> items, String next) {
    }

    /** One page of candidates due by {@code now}, oldest first; {@code cursor} is the previous page's {@code next}. */
    DuePage due(Instant now, int limit, String cursor);

    /** The candidate as stored now: its due time and why it was asked for. */
    record SweepItem(String appId, String releaseId, long dueAt, String reason) {
    }

    Optional<SweepItem> find(String appId, String releaseId);

    /** Moves the candidate to {@code dueAt} unless someone re-asked since it was read. */
    boolean reschedule(SweepItem seen, Instant dueAt, String reason);

    /** Drops the candidate unless someone re-asked since it was read. */
    boolean drop(SweepItem seen);
}
