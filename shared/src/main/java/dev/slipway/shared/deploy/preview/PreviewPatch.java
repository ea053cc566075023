package dev.slipway.shared.deploy.preview;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * What {@code PATCH /apps/{app}/previews/{name}} asks for, checked: a new expiry (null: unchanged)
 * and/or protection on or off (null: unchanged); at least one of them.
 */
public record PreviewPatch(Instant expiresAt, Boolean protect) {
    static final Set<String> FIELDS = Set.of("expiresAt", "protected");
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    /**
     * Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written.
     * Any expiry, past or future (the owner's explicit choice, unlike ttlHours), up to
     * {@value Previews#MAX_PATCH_DAYS} days after {@code now}: bounded only so it stays a date.
     */
    public static PreviewPatch fromJson(ObjectNode body, Instant now) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String at = in.string("expiresAt").orElse(null);
        Boolean protect = in.bool("protected").orElse(null);
        Instant expiresAt = null;
        if (at != null) {
            try {
                expiresAt = Instant.parse(at);
                if (expiresAt.isAfter(now.plus(Duration.ofDays(Previews.MAX_PATCH_DAYS))) || expiresAt.isBefore(EARLIEST)) {
                    in.error("expiresAt", "must be between 2000-01-01 and " + Previews.MAX_PATCH_DAYS / 365 + " years from now");
                }
            } catch (DateTimeParseException e) {
                in.error("expiresAt", "must be an ISO-8601 instant such as 2026-12-01T12:00:00Z");
            }
        }
        if (at == null && protect == null) {
            in.error("expiresAt", "give expiresAt and/or protected");
        }
        in.throwIfInvalid();
        return new PreviewPatch(expiresAt, protect);
    }
}
