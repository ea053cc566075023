package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One build: the app's source (built in place; the output ends up inside it), the owner's settings
 * (null or {@link BuildSettings#NONE} = detect everything), the app's environment variables (given to
 * install and build, redacted in the log), where the log goes, whose caches it may use, and notes for the top
 * of the log (what Slipway changed for this build, e.g. lockfile URLs mapped to the registry).
 *
 * <p>{@code cacheNamespace} ({@code <appId>/<scope>} for deploys) keeps dependency and package-manager caches
 * apart: a build only ever reads what builds of the same app and scope stored, so one app (or a preview of
 * it) cannot plant code that another app's (or production's) build picks up.
 */
public record BuildJob(Path sourceDir, BuildSettings settings, Map<String, String> environment, Path logFile,
                       String cacheNamespace, List<String> notes) {
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9-]{0,62})?");

    public BuildJob {
        Objects.requireNonNull(sourceDir, "sourceDir");
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(cacheNamespace, "cacheNamespace");
        if (!NAMESPACE.matcher(cacheNamespace).matches()) {
            throw new IllegalArgumentException("cache namespace must be <app>[/<scope>] in lower case: " + cacheNamespace);
        }
        settings = settings == null ? BuildSettings.NONE : settings;
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    public BuildJob(Path sourceDir, BuildSettings settings, Map<String, String> environment, Path logFile,
                    String cacheNamespace) {
        this(sourceDir, settings, environment, logFile, cacheNamespace, List.of());
    }

    /** A build outside any app (tests, benchmarks): its caches are shared only with other such builds. */
    public BuildJob(Path sourceDir, BuildSettings settings, Map<String, String> environment, Path logFile) {
        this(sourceDir, settings, environment, logFile, "local", List.of());
    }
}
