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
        String nodeVersion,
        String registry) {

    public static final BuildSettings NONE = new BuildSettings(null, null, null, null, null, null);

    /** Settings without an own registry (the stack's is used). */
    public BuildSettings(String packageManager, String installCommand, String buildCommand, String outputDir,
                         String nodeVersion) {
        this(packageManager, installCommand, buildCommand, outputDir, nodeVersion, null);
    }

    /** These settings with {@code registryUrl} as the registry the build installs from. */
    public BuildSettings withRegistry(String registryUrl) {
        return new BuildSettings(packageManager, installCommand, buildCommand, outputDir, nodeVersion, registryUrl);
    }

    /** These settings where set, {@code fallback}'s elsewhere. */
    public BuildSettings over(BuildSettings fallback) {
        return new BuildSettings(
                packageManager != null ? packageManager : fallback.packageManager,
                installCommand != null ? installCommand : fallback.installCommand,
                buildCommand != null ? buildCommand : fallback.buildCommand,
                outputDir != null ? outputDir : fallback.outputDir,
                nodeVersion != null ? nodeVersion : fallback.nodeVersion,
                registry != null ? registry : fallback.registry);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return equals(NONE);
    }
}
