package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * A name visitors reach ({@code production}) and the READY release it points at. Moves only by
 * compare-and-set on {@code version}, together with its audit event and its history item (an
 * {@link AliasVersion}); the alias rules ({@code deploy.alias}) are the one place that moves it.
 *
 * @param pinned            set by a rollback: deployments stage and verify but do not move it
 * @param previousReleaseId the release it pointed at before {@code releaseId} (what a rollback returns to)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alias(String appId, String name, String releaseId, long version, Instant updatedAt, String deploymentId,
                    boolean pinned, String previousReleaseId) {
    /** The production alias's name (the wire form of {@link DeployTarget.Production}). */
    public static final String PRODUCTION = DeployTarget.PRODUCTION_NAME;

    @JsonCreator
    public Alias {
    }

    public Alias(String appId, String name, String releaseId, long version, Instant updatedAt, String deploymentId) {
        this(appId, name, releaseId, version, updatedAt, deploymentId, false, null);
    }
}
