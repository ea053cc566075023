package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * An immutable set of site files under {@code sites/{appId}/{id}/}, described by its manifest.
 *
 * @param buildKey what the files were built from (tree + build settings + environment), so a later
 *                 deploy of the same inputs reuses this release instead of building again; null for
 *                 uploaded releases
 * @param source   {@code build} or {@code upload}
 * @param message  the commit's message (null for uploads)
 * @param deployedBy who started the deployment that built it, or uploaded it
 * @param server   the release's server bundle, or null for a static app (no server, no cost)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Release(
        String appId,
        String id,
        String commit,
        String tree,
        String buildKey,
        String source,
        ReleaseStatus status,
        long fileCount,
        long totalBytes,
        Instant createdAt,
        Instant readyAt,
        String deploymentId,
        String message,
        String deployedBy,
        ServerBundle server) {

    @JsonCreator
    public Release {
    }

    public Release(String appId, String id, String commit, String tree, String buildKey, String source, ReleaseStatus status,
                   long fileCount, long totalBytes, Instant createdAt, Instant readyAt, String deploymentId, String message,
                   String deployedBy) {
        this(appId, id, commit, tree, buildKey, source, status, fileCount, totalBytes, createdAt, readyAt, deploymentId, message,
                deployedBy, null);
    }

    public Release(String appId, String id, String commit, String tree, String buildKey, String source, ReleaseStatus status,
                   long fileCount, long totalBytes, Instant createdAt, Instant readyAt, String deploymentId) {
        this(appId, id, commit, tree, buildKey, source, status, fileCount, totalBytes, createdAt, readyAt, deploymentId, null, null);
    }

    public Release ready(long files, long bytes, Instant now) {
        return new Release(appId, id, commit, tree, buildKey, source, ReleaseStatus.READY, files, bytes, createdAt, now, deploymentId, message, deployedBy, server);
    }

    /** The same release in another status (the cleanup's RETIRING → DELETING → DELETED, or back). */
    public Release withStatus(ReleaseStatus next) {
        return new Release(appId, id, commit, tree, buildKey, source, next, fileCount, totalBytes, createdAt, readyAt, deploymentId, message, deployedBy, server);
    }

    /** The same release with its server bundle (null: static). */
    public Release withServer(ServerBundle bundle) {
        return new Release(appId, id, commit, tree, buildKey, source, status, fileCount, totalBytes, createdAt, readyAt, deploymentId, message, deployedBy, bundle);
    }

    public Release failed() {
        return new Release(appId, id, commit, tree, buildKey, source, ReleaseStatus.FAILED, fileCount, totalBytes, createdAt, readyAt, deploymentId, message, deployedBy, server);
    }
}
