package dev.slipway.shared.audit;

/** The last link of an app's chain: the next event gets {@code seq + 1} and {@code prevHash = hash}. */
public record AuditHead(long seq, String hash) {
    public static final AuditHead EMPTY = new AuditHead(0, AuditEvent.GENESIS);
}
