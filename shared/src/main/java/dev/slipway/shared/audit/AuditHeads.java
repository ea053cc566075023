package dev.slipway.shared.audit;

/**
 * Where an app's audit chain ends now: what a change needs to build its event
 * ({@link AuditEvent#next}). The stores append the event in the change's own transaction and refuse
 * it (a {@code WriteConflict} on {@code AUDIT_HEAD}) when the head moved since it was read.
 */
@FunctionalInterface
public interface AuditHeads {
    AuditHead head(String appId);
}
