package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * One version of an alias, written in the same transaction as the move (and its audit event,
 * {@code auditSeq}): which release, which it replaced, whether pinned, by which action and actor.
 * The alias's history is one of these per version, so "where was it before" is one read, never a scan.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AliasVersion(long version, String releaseId, String previousReleaseId, boolean pinned, String action,
                           String actor, String reason, String deploymentId, long auditSeq, Instant at) {
}
