package dev.slipway.shared.deploy;

/**
 * Where deploys keep things in the artifacts bucket. Only {@code sites/} is served (the edge maps a
 * host to {@code sites/{app}/{release}/}); manifests and build files sit beside it, never served.
 */
public final class SiteKeys {
    private SiteKeys() {
    }

    public static String releasePrefix(String appId, String releaseId) {
        return "sites/" + appId + "/" + releaseId + "/";
    }

    public static String manifest(String appId, String releaseId) {
        return "releases/" + appId + "/" + releaseId + "/manifest.json";
    }

    /** A direct upload's file list (path → sha256), kept from create until finalize. */
    public static String pending(String appId, String releaseId) {
        return "releases/" + appId + "/" + releaseId + "/pending.json";
    }

    public static String buildPrefix(String appId, String deploymentId) {
        return "builds/" + appId + "/" + deploymentId + "/";
    }

    /** The commit's tree as a zip: CodeBuild's S3 source, and the local build's input. */
    public static String source(String appId, String deploymentId) {
        return buildPrefix(appId, deploymentId) + "source.zip";
    }

    /** The build output folder as a zip, written by the build. */
    public static String output(String appId, String deploymentId) {
        return buildPrefix(appId, deploymentId) + "output.zip";
    }

    /** The build log, secrets redacted. */
    public static String log(String appId, String deploymentId) {
        return buildPrefix(appId, deploymentId) + "build.log";
    }

    /**
     * The lockfile a deployment's build installed from when the commit's differs (one zip entry per lockfile, at
     * the app's root): written by the build when the commit had none, or by ExportSource when it pointed the
     * commit's registry URLs at the configured registry. {@code POST …/lockfile-commit} commits it.
     */
    public static String buildLockfile(String appId, String deploymentId) {
        return buildPrefix(appId, deploymentId) + "lockfile.zip";
    }

    /**
     * The app's environment values of the deployment's target scope, as one JSON object: written by
     * ExportSource for the build (through a presigned GET), deleted as soon as the build has ended.
     */
    public static String buildEnvironment(String appId, String deploymentId) {
        return buildPrefix(appId, deploymentId) + "env.json";
    }

    /**
     * An installed dependency tree (node_modules as .tar.gz) of one app and scope, keyed by its
     * lockfile's hash: per scope too, so a preview's build can never plant code production's build restores.
     */
    public static String dependencyCache(String appId, String scope, String lockfileHash) {
        return dependencyCachePrefix(appId, scope) + lockfileHash + ".tar.gz";
    }

    public static String dependencyCachePrefix(String appId, String scope) {
        return "build-cache/" + appId + "/" + scope + "/";
    }

    /** Files a direct upload sends before finalize, content-addressed. */
    public static String upload(String appId, String sha256) {
        return "uploads/" + appId + "/content/" + sha256;
    }
}
