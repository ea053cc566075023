package dev.slipway.shared.deploy;

import java.time.Instant;

/**
 * A name visitors reach ({@code production}) and the READY release it points at. Moves only by
 * compare-and-set on {@code version}, together with its audit event.
 */
public record Alias(String appId, String name, String releaseId, long version, Instant updatedAt, String deploymentId) {
    public static final String PRODUCTION = "production";
}
