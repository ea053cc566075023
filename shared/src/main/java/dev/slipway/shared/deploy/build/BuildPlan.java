package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a build of {@code source} with {@code settings} runs, decided once ({@link PackageManager}): the package
 * manager and its lockfile, how it is launched when it is not on PATH, and the install and build commands.
 * {@link LocalBuildRunner} runs this plan; the CodeBuild buildspec implements the same rules in shell, and
 * {@code TemplateAwsSpecTest} checks the buildspec against this plan case by case.
 *
 * @param launcher what the package manager's name runs (its own name, or {@code npx --yes <pm>@<version>});
 *                 empty when neither it nor npx is on PATH
 */
public record BuildPlan(String packageManager, Path lockfile, Optional<String> launcher, String installCommand,
                        String buildCommand) {

    /** The plan, or empty when {@code settings} names an unknown package manager. */
    public static Optional<BuildPlan> of(Path source, BuildSettings settings, String pathVariable) {
        BuildSettings s = settings == null ? BuildSettings.NONE : settings;
        return PackageManager.detect(source, s.packageManager()).map(d -> {
            PackageManager pm = d.pm();
            Optional<String> launcher = pm.launcher(PackageManager.ExecutableLookup.of(pathVariable), source, d.lockfile());
            return new BuildPlan(pm.id, d.lockfile(), launcher,
                    s.installCommand() != null ? s.installCommand() : pm.installCommand(d.lockfile()),
                    s.buildCommand() != null ? s.buildCommand() : pm.buildCommand());
        });
    }

    /** Whether the package manager's name needs a shim that runs {@link #launcher}. */
    public boolean needsShim() {
        return launcher.isPresent() && !launcher.get().equals(packageManager);
    }

    /** Install and build as the processes run them: the package manager's name replaced by its launcher. */
    public List<String> launchedCommands() {
        return List.of(launched(installCommand), launched(buildCommand));
    }

    private String launched(String command) {
        return needsShim() && command.startsWith(packageManager + " ")
                ? launcher.get() + command.substring(packageManager.length()) : command;
    }
}
