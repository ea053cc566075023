package dev.slipway.shared.deploy.model;

/**
 * STAGED: files being written or checked. READY: complete, checked, immutable. FAILED: never served.
 * The cleanup's removal ({@code deploy.cleanup.ReleaseSweeper}): RETIRING (locked: no alias can move
 * here, references are checked once more), DELETING (the {@code release.removed} audit event is
 * written; files are going), DELETED (files gone; the item stays as a tombstone so history shows it).
 */
public enum ReleaseStatus {
    STAGED, READY, FAILED, RETIRING, DELETING, DELETED;

    /** Being or already removed by the cleanup: never served, reused, finalized or marked FAILED. */
    public boolean removal() {
        return this == RETIRING || this == DELETING || this == DELETED;
    }
}
