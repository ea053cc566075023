package dev.slipway.shared.audit;

/** The result of re-hashing an app's chain: valid, or the first seq where it breaks and why. */
public record ChainVerification(boolean valid, long events, String head, Long brokenAtSeq, String reason) {
    public static ChainVerification ok(long events, String head) {
        return new ChainVerification(true, events, head, null, null);
    }

    public static ChainVerification broken(long events, long seq, String reason) {
        return new ChainVerification(false, events, null, seq, reason);
    }
}
