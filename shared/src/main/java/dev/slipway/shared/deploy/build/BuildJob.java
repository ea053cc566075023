package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One build: the app's source (built in place; the output ends up inside it), the owner's settings
 * (null or {@link BuildSettings#NONE} = detect everything), the app's environment variables (given to
 * install and build, redacted in the log) and where the log goes.
 */
public record BuildJob(Path sourceDir, BuildSettings settings, Map<String, String> environment, Path logFile) {
    public BuildJob {
        Objects.requireNonNull(sourceDir, "sourceDir");
        Objects.requireNonNull(logFile, "logFile");
        settings = settings == null ? BuildSettings.NONE : settings;
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }
}
