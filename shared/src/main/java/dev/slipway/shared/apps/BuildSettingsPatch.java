package dev.slipway.shared.apps;

/** Build settings as a request gives them: each field kept, removed or replaced (checked already). */
public record BuildSettingsPatch(
        FieldChange<String> packageManager,
        FieldChange<String> installCommand,
        FieldChange<String> buildCommand,
        FieldChange<String> outputDir,
        FieldChange<String> nodeVersion,
        FieldChange<String> registry) {

    public BuildSettings applyTo(BuildSettings base) {
        return new BuildSettings(
                packageManager.applyTo(base.packageManager()),
                installCommand.applyTo(base.installCommand()),
                buildCommand.applyTo(base.buildCommand()),
                outputDir.applyTo(base.outputDir()),
                nodeVersion.applyTo(base.nodeVersion()),
                registry.applyTo(base.registry()));
    }
}
