package dev.slipway.shared.apps;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an app is built: what import detects and the owner may override. Every field is optional;
 * a missing one means "detect it" (or the framework's default).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildSettings(
        String packageManager,
        String installCommand,
        String buildCommand,
        String outputDir,
        String nodeVersion) {

    public static final BuildSettings NONE = new BuildSettings(null, null, null, null, null);

    /** These settings where set, {@code fallback}'s elsewhere. */
    public BuildSettings over(BuildSettings fallback) {
        return new BuildSettings(
                packageManager != null ? packageManager : fallback.packageManager,
                installCommand != null ? installCommand : fallback.installCommand,
                buildCommand != null ? buildCommand : fallback.buildCommand,
                outputDir != null ? outputDir : fallback.outputDir,
                nodeVersion != null ? nodeVersion : fallback.nodeVersion);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return equals(NONE);
    }
}
