package dev.slipway.shared.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * An immutable set of site files under {@code sites/{appId}/{id}/}, described by its manifest.
 *
 * @param buildKey what the files were built from (tree + build settings + environment), so a later
 *                 deploy of the same inputs reuses this release instead of building again; null for
 *                 uploaded releases
 * @param source   {@code build} or {@code upload}
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
        String deploymentId) {

    public Release ready(long files, long bytes, Instant now) {
        return new Release(appId, id, commit, tree, buildKey, source, ReleaseStatus.READY, files, bytes, createdAt, now, deploymentId);
    }

    public Release failed() {
        return new Release(appId, id, commit, tree, buildKey, source, ReleaseStatus.FAILED, fileCount, totalBytes, createdAt, readyAt, deploymentId);
    }
}
