package dev.slipway.shared.apps;

import dev.slipway.shared.errors.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.http.Paging;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.WriteConflict;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.regex.Pattern;

/** Creating, reading, listing and changing apps: the rules, whatever the store or the caller. */
public final class AppService {
    static final Set<String> CREATE_FIELDS = Set.of("name", "id", "build");
    static final Set<String> PATCH_FIELDS = Set.of("name", "build", "retainReleases");
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 100;
    /** Concurrent PATCHes of one app are retried on a fresh read this many times before a 409. */
    private static final int MAX_ATTEMPTS = 8;
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private final AppStore store;
    private final Clock clock;

    public AppService(AppStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public App create(ObjectNode body, Actor actor) {
        JsonObjectReader in = JsonObjectReader.of(body, CREATE_FIELDS);
        String name = name(in, true);
        String id = in.string("id").orElse(null);
        if (id != null && !AppId.isValid(id)) {
            in.error("id", "must be 2-40 characters: a lower-case letter, then lower-case letters, digits and single hyphens");
        }
        if (id == null && name != null) {
            id = AppId.fromName(name);
            if (id == null) {
                in.error("name", "gives no usable id (it needs a letter); send an explicit \"id\"");
            }
        }
        BuildSettings build = in.object("build", BuildSettingsInput.FIELDS)
                .map(b -> BuildSettingsInput.merge(BuildSettings.NONE, b))
                .orElse(BuildSettings.NONE);
        in.throwIfInvalid();

        Instant now = now();
        App app = new App(id, name, build, null, null, now, now, 1);
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
        int limit = Paging.limit(limitParam, DEFAULT_PAGE, MAX_PAGE);
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 200)) {
            throw Paging.invalidCursor();
        }
        return store.list(limit, cursor);
    }

    /** Applies a JSON merge patch (RFC 7396). A patch that changes nothing writes nothing. */
    public App update(String id, ObjectNode patch, Actor actor) {
        AppId.require(id);
        if (patch.has("id")) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "An app's id cannot change",
                    java.util.List.of(new FieldError("/id", "is fixed at creation")));
        }
        for (int attempt = 1; ; attempt++) {
            App current = store.get(id).orElseThrow(() -> notFound(id));
            JsonObjectReader in = JsonObjectReader.of(patch, PATCH_FIELDS);
            String name = in.has("name") ? name(in, true) : current.name();
            BuildSettings build = current.build();
            if (in.isNull("build")) {
                build = BuildSettings.NONE;
            } else if (in.has("build")) {
                build = in.object("build", BuildSettingsInput.FIELDS)
                        .map(b -> BuildSettingsInput.merge(current.build(), b))
                        .orElse(current.build());
            }
            Integer retain = current.retainReleases();
            if (in.isNull("retainReleases")) {
                retain = null;
            } else if (in.has("retainReleases")) {
                retain = in.longValue("retainReleases").map(n -> {
                    if (n < 1 || n > App.MAX_RETAIN_RELEASES) {
                        in.error("retainReleases", "must be 1-" + App.MAX_RETAIN_RELEASES + " (production releases the cleanup keeps)");
                        return null;
                    }
                    return n.intValue();
                }).orElse(null);
            }
            in.throwIfInvalid();
            if (name.equals(current.name()) && build.equals(current.build()) && java.util.Objects.equals(retain, current.retainReleases())) {
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

    private String name(JsonObjectReader in, boolean required) {
        if (!in.has("name") || in.isNull("name")) {
            if (required) {
                in.error("name", "is required");
            }
            return null;
        }
        String name = in.string("name").map(String::strip).orElse(null);
        if (name == null) {
            return null;
        }
        if (name.isEmpty() || name.length() > 100) {
            in.error("name", "must be 1-100 characters");
        } else if (CONTROL.matcher(name).find()) {
            in.error("name", "must not contain control characters");
        }
        return name;
    }

    private Instant now() {
        // Millisecond precision: what clients and DynamoDB round-trip without surprises.
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static DomainException notFound(String id) {
        return new DomainException(DomainError.APP_NOT_FOUND, "There is no app " + id);
    }
}
