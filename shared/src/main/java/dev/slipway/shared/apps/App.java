package dev.slipway.shared.apps;

import java.time.Instant;

/** An app: one builder project, one git repository, one production alias. */
public record App(
        String id,
        String name,
        BuildSettings build,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public App {
        build = build == null ? BuildSettings.NONE : build;
    }

    public App withChanges(String newName, BuildSettings newBuild, Instant now) {
        return new App(id, newName, newBuild, createdAt, now, version + 1);
    }
}
