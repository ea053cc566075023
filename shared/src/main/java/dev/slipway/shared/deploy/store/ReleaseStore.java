package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Release records ({@code release#<id>}), the build-key pointer to the READY release of some
 * inputs ({@code build#<key>}) and the status moves: STAGED → READY (or FAILED), and the cleanup's
 * lock-then-verify removal READY/STAGED/FAILED → RETIRING → DELETING → DELETED.
 */
public interface ReleaseStore {
    /** How long a READY release no alias has served is kept before the cleanup may remove it. */
    Duration UNSERVED_GRACE = Duration.ofDays(7);

    /** Records a release being staged; again for a STAGED one is harmless, otherwise a {@code WriteConflict} (RELEASE). */
    void putStaged(Release r);

    Optional<Release> get(String appId, String id);

    record ReleasePage(List<Release> items, String next) {
    }

    /** Newest first; {@code cursor} from the previous page. */
    ReleasePage page(String appId, int limit, String cursor);

    /** The READY release that was built from exactly these inputs, if any. */
    Optional<Release> readyReleaseFor(String appId, String buildKey);

    /**
     * STAGED → READY with the build-key pointer, the audit event and a sweep candidate due after
     * {@link #UNSERVED_GRACE} (a READY release no alias ever serves would otherwise stay forever), all
     * or nothing. Only the first call changes anything; a repeat finds it READY and returns false.
     */
    boolean markReady(Release ready, AuditEvent event);

    /** A release that never became READY is marked FAILED (a READY one, or one being removed, is never touched). */
    void markFailed(Release r);

    /** {@code from → r.status()} by compare-and-set on the status; false if the release is no longer {@code from}. */
    boolean changeStatus(Release r, ReleaseStatus from);

    /** RETIRING → DELETING with the one {@code release.removed} audit event; not RETIRING is a {@code WriteConflict} (RELEASE). */
    void startRemoval(Release deleting, AuditEvent event);

    /** DELETING → DELETED (the record stays as a tombstone) and its sweep candidate goes, together. */
    void finishRemoval(Release deleted);

    /** Removes the build-key pointer if it still names {@code releaseId}. */
    void forgetBuild(String appId, String buildKey, String releaseId);
}
