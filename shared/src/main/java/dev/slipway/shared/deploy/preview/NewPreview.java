package dev.slipway.shared.deploy.preview;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/**
 * What {@code POST /apps/{app}/previews} asks for, checked as far as the body alone tells: the
 * {@code ref} to deploy, the preview's name (null: derived from the ref; the service checks it
 * against the app), its lifetime in hours (null: the default) and whether it is protected (null:
 * unchanged, unprotected when new).
 */
public record NewPreview(String ref, String name, Long ttlHours, Boolean protect) {
    static final Set<String> FIELDS = Set.of("ref", "name", "ttlHours", "protected");

    /** Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written. */
    public static NewPreview fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String ref = in.string("ref").orElse(null);
        String name = in.string("name").orElse(null);
        Long ttl = in.longValue("ttlHours").orElse(null);
        Boolean protect = in.bool("protected").orElse(null);
        if (ref == null || ref.isBlank() || ref.length() > 200) {
            in.error("ref", "must be a branch name or a commit SHA");
        }
        if (ttl != null && (ttl < 1 || ttl > Previews.MAX_TTL_HOURS)) {
            in.error("ttlHours", "must be 1 to " + Previews.MAX_TTL_HOURS);
        }
        in.throwIfInvalid();
        return new NewPreview(ref, name, ttl, protect);
    }
}
