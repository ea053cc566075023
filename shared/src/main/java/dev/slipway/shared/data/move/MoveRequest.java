package dev.slipway.shared.data.move;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/**
 * What {@code POST /apps/{appId}/database/move} asks for: {@code {"targetUrl":"postgres://…"}}, a database the owner
 * runs, or {@code {"target":"stack"}}, a database of the app's own on the stack's database (template.yaml
 * CreateDatabase). Exactly one of the two; {@code target} is null for the stack.
 */
public record MoveRequest(DatabaseUrl target) {
    static final Set<String> FIELDS = Set.of("targetUrl", "target");
    public static final String STACK = "stack";

    public static MoveRequest fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String raw = in.string("targetUrl").orElse(null);
        String named = in.string("target").orElse(null);
        if (raw == null && named == null) {
            in.error("targetUrl", "is required (or \"target\":\"stack\")");
        } else if (raw != null && named != null) {
            in.error("target", "goes without targetUrl: give one of the two");
        } else if (named != null && !named.equals(STACK)) {
            in.error("target", "must be \"stack\" (the stack's database); any other database is a targetUrl");
        }
        in.throwIfInvalid();
        return new MoveRequest(raw == null ? null : DatabaseUrl.parse(raw, "/targetUrl"));
    }

    /** A move to the stack's database. */
    public boolean toStack() {
        return target == null;
    }

    @Override
    public String toString() {
        return "MoveRequest[" + (toStack() ? STACK : target) + "]"; // the URL's toString has no password
    }
}
