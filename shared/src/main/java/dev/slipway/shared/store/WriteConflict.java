package dev.slipway.shared.store;

/**
 * A conditional write lost: the item already existed, or its version or the audit head moved
 * since it was read. {@code part} names which condition failed.
 */
public class WriteConflict extends RuntimeException {
    /** ALIAS: the alias moved since it was read; RELEASE: the release is not (or no longer) READY. */
    public enum Part { ITEM, AUDIT_HEAD, REF, ALIAS, RELEASE, UNKNOWN }

    private final Part part;

    public WriteConflict(Part part, String message) {
        super(message, null, false, false);
        this.part = part;
    }

    public Part part() {
        return part;
    }
}
