package dev.slipway.shared.deploy.build;

/**
 * What a local build that succeeded reports, as CodeBuild's {@code Build} does: its id, whether
 * the dependency cache was hit and how long install and build took. (A failed build throws.)
 */
public record BuildReport(String id, boolean dependencyCacheHit, long installMillis, long buildMillis) {
    /** CodeBuild's status of a build that succeeded: the only one a report has. */
    public String status() {
        return "SUCCEEDED";
    }
}
