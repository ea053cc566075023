package dev.slipway.shared.audit;

/** Who made a change and from where: written into every audit event. */
public record Actor(String id, String requestId, String sourceIp) {
    public static final String ADMIN = "admin";
}
