package dev.slipway.shared.deploy.preview;

import java.time.Instant;

/**
 * The cleanup's first phase: removes previews whose {@code expiresAt} has passed, found through the
 * ReleasesTable {@code DueIndex} (never a scan). Each removal takes the preview's alias and router entry
 * away and leaves its release as a sweep candidate due now, in one audited transaction.
 */
@FunctionalInterface
public interface PreviewExpiry {
    /** Removes up to {@code max} previews due by {@code now}; returns how many it removed. Safe to run twice. */
    int expireDue(Instant now, int max);
}
