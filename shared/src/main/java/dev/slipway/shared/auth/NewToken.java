package dev.slipway.shared.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.json.JsonObjectReader;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code POST /tokens} asks for: {@code name}, {@code role}, {@code apps} (a list of app ids or
 * {@code "*"}) and {@code expiresAt} (default 90 days, at most a year ahead).
 */
public record NewToken(String name, Role role, Set<String> apps, Instant expiresAt) {
    static final Set<String> FIELDS = Set.of("name", "role", "apps", "expiresAt");
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    public static final Duration MAX_LIFETIME = Duration.ofDays(366);
    static final int MAX_APPS = 100;
    private static final Pattern APP_ID = Pattern.compile("[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,39}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@/-]{0,63}");

    public static NewToken fromJson(ObjectNode body, Instant now) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String name = in.string("name").orElse(null);
        if (name == null) {
            in.error("name", "is required");
        } else if (!NAME.matcher(name).matches()) {
            in.error("name", "must be 1-64 characters: letters, digits, space and . _ @ / -, starting with a letter or digit");
        }
        Role role = null;
        String r = in.string("role").orElse(null);
        if (r == null) {
            in.error("role", "is required: viewer, deployer or admin");
        } else if ((role = Role.fromWire(r)) == null) {
            in.error("role", "must be viewer, deployer or admin");
        }
        Set<String> apps = apps(body.get("apps"), in);
        Instant expiresAt = expiry(in, "expiresAt", now);
        in.throwIfInvalid();
        return new NewToken(name, role, apps, expiresAt);
    }

    private static Set<String> apps(JsonNode node, JsonObjectReader in) {
        if (node == null || node.isNull()) {
            in.error("apps", "is required: a list of app ids, or \"*\" for every app");
            return Set.of();
        }
        if (node.isTextual() && node.textValue().equals("*")) {
            return null;
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_APPS) {
            in.error("apps", "must be \"*\" or a list of 1-" + MAX_APPS + " app ids");
            return Set.of();
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode a = node.get(i);
            if (!a.isTextual() || !APP_ID.matcher(a.textValue()).matches()) {
                in.error("apps/" + i, "must be an app id");
            } else {
                ids.add(a.textValue());
            }
        }
        return ids;
    }

    /** An ISO-8601 instant in the future and at most {@link #MAX_LIFETIME} ahead; default 90 days. */
    static Instant expiry(JsonObjectReader in, String field, Instant now) {
        String s = in.string(field).orElse(null);
        if (s == null) {
            return now.plus(DEFAULT_LIFETIME);
        }
        Instant t;
        try {
            t = Instant.parse(s);
        } catch (DateTimeParseException e) {
            in.error(field, "must be an ISO-8601 time such as 2027-01-31T00:00:00Z");
            return null;
        }
        if (!t.isAfter(now)) {
            in.error(field, "must be in the future");
        } else if (t.isAfter(now.plus(MAX_LIFETIME))) {
            in.error(field, "must be at most a year ahead");
        }
        return t;
    }

    /** The body of {@code POST /tokens/{id}/rotate}: until when the old token stays valid (default: now). */
    public static Instant oldValidUntil(ObjectNode body, Instant now) {
        JsonObjectReader in = JsonObjectReader.of(body, Set.of("oldExpiresAt"));
        String s = in.string("oldExpiresAt").orElse(null);
        Instant until = now;
        if (s != null) {
            try {
                until = Instant.parse(s);
                if (until.isAfter(now.plus(Duration.ofDays(30)))) {
                    in.error("oldExpiresAt", "must be at most 30 days ahead");
                }
            } catch (DateTimeParseException e) {
                in.error("oldExpiresAt", "must be an ISO-8601 time such as 2027-01-31T00:00:00Z");
            }
        }
        in.throwIfInvalid();
        return until.isBefore(now) ? now : until;
    }

    static DomainException notFound(String id) {
        return new DomainException(DomainError.TOKEN_NOT_FOUND, "No token " + id);
    }
}
