package dev.slipway.shared.apps;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.store.WriteConflict;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Creating, reading, listing and changing apps: the rules, whatever the store or the caller. */
public final class AppService {
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 100;
    /** Concurrent PATCHes of one app are retried on a fresh read this many times before a 409. */
    private static final int MAX_ATTEMPTS = 8;

    private final AppStore store;
    private final Clock clock;

    public AppService(AppStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Creates the app with its {@code app.created} event; an id taken before (even by a deleted app) is refused. */
    public App create(NewApp request, Actor actor) {
        String id = request.id();
        Instant now = now();
        App app = new App(id, request.name(), request.build(), null, null, now, now, 1);
        AuditEvent event = AuditEvent.next(store.auditHead(id), id, now, actor, "app.created", "app/" + id,
                null, AppView.audited(app));
        try {
            store.create(app, event);
        } catch (WriteConflict e) {
            // Either the app exists, or its id was used before (the trail outlives a deleted app).
            throw new DomainException(DomainError.APP_EXISTS, "An app with id " + id + " already exists; choose another \"id\"");
        }
        return app;
    }

    public App get(String id) {
        AppId.require(id);
        return store.get(id).orElseThrow(() -> notFound(id));
    }

    public AppStore.AppPage list(String limitParam, String cursor) {
        int limit = Cursors.limit(limitParam, DEFAULT_PAGE, MAX_PAGE);
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 200)) {
            throw Cursors.invalid();
        }
        return store.list(limit, cursor);
    }

    /** Applies a merge patch (RFC 7396). A patch that changes nothing writes nothing. */
    public App update(String id, AppPatch patch, Actor actor) {
        AppId.require(id);
        for (int attempt = 1; ; attempt++) {
            App current = store.get(id).orElseThrow(() -> notFound(id));
            String name = patch.name().applyTo(current.name());
            BuildSettings build = patch.buildAfter(current.build());
            Integer retain = patch.retainReleases().applyTo(current.retainReleases());
            if (name.equals(current.name()) && build.equals(current.build()) && Objects.equals(retain, current.retainReleases())) {
                return current;
            }
            App updated = current.withChanges(name, build, retain, now());
            AuditEvent event = AuditEvent.next(store.auditHead(id), id, updated.updatedAt(), actor, "app.updated",
                    "app/" + id, AppView.audited(current), AppView.audited(updated));
            try {
                store.replace(updated, current.version(), event);
                return updated;
            } catch (WriteConflict e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION,
                            "App " + id + " kept changing while this update ran; retry it");
                }
            }
        }
    }

    private Instant now() {
        // Millisecond precision: what clients and DynamoDB round-trip without surprises.
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static DomainException notFound(String id) {
        return new DomainException(DomainError.APP_NOT_FOUND, "There is no app " + id);
    }
}
