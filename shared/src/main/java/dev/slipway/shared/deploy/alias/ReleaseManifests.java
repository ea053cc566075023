package dev.slipway.shared.deploy.alias;

/** Whether a release's files still exist (its manifest is written last and removed last): {@code ReleaseFiles} in S3. */
@FunctionalInterface
public interface ReleaseManifests {
    boolean manifestExists(String appId, String releaseId);
}
