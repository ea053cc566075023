package dev.slipway.shared.apps;

import java.time.Instant;

/**
 * An app: one builder project, one git repository, one production alias.
 *
 * @param build     what the owner set (PATCH); wins over {@code detected} field by field
 * @param framework what the last import detected ({@code lovable}, {@code vite} …), or null
 * @param detected  the build settings the last import detected
 */
public record App(
        String id,
        String name,
        BuildSettings build,
        String framework,
        BuildSettings detected,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public App {
        build = build == null ? BuildSettings.NONE : build;
        detected = detected == null ? BuildSettings.NONE : detected;
    }

    public App withChanges(String newName, BuildSettings newBuild, Instant now) {
        return new App(id, newName, newBuild, framework, detected, createdAt, now, version + 1);
    }

    public App withDetection(String newFramework, BuildSettings newDetected, Instant now) {
        return new App(id, name, build, newFramework, newDetected, createdAt, now, version + 1);
    }

    /** The settings a build uses: the owner's where set, else what import detected. */
    public BuildSettings effectiveBuild() {
        return build.over(detected);
    }
}
