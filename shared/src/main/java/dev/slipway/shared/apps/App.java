package dev.slipway.shared.apps;

import java.time.Instant;

/**
 * An app: one builder project, one git repository, one production alias.
 *
 * @param build     what the owner set (PATCH); wins over {@code detected} field by field
 * @param framework what the last import detected ({@code lovable}, {@code vite} …), or null
 * @param detected  the build settings the last import detected
 * @param retainReleases how many of the latest production releases the cleanup keeps (null: {@link #DEFAULT_RETAIN_RELEASES})
 */
public record App(
        String id,
        String name,
        BuildSettings build,
        String framework,
        BuildSettings detected,
        Instant createdAt,
        Instant updatedAt,
        long version,
        Integer retainReleases) {
    public static final int DEFAULT_RETAIN_RELEASES = 20;
    public static final int MAX_RETAIN_RELEASES = 1000;

    public App(String id, String name, BuildSettings build, String framework, BuildSettings detected, Instant createdAt,
               Instant updatedAt, long version) {
        this(id, name, build, framework, detected, createdAt, updatedAt, version, null);
    }

    public App {
        build = build == null ? BuildSettings.NONE : build;
        detected = detected == null ? BuildSettings.NONE : detected;
    }

    public App withChanges(String newName, BuildSettings newBuild, Instant now) {
        return new App(id, newName, newBuild, framework, detected, createdAt, now, version + 1, retainReleases);
    }

    public App withChanges(String newName, BuildSettings newBuild, Integer newRetainReleases, Instant now) {
        return new App(id, newName, newBuild, framework, detected, createdAt, now, version + 1, newRetainReleases);
    }

    /** What the cleanup keeps: the last N distinct production releases. */
    public int effectiveRetainReleases() {
        return retainReleases == null ? DEFAULT_RETAIN_RELEASES : retainReleases;
    }

    public App withDetection(String newFramework, BuildSettings newDetected, Instant now) {
        return new App(id, name, build, newFramework, newDetected, createdAt, now, version + 1, retainReleases);
    }

    /** The settings a build uses: the owner's where set, else what import detected. */
    public BuildSettings effectiveBuild() {
        return build.over(detected);
    }
}
