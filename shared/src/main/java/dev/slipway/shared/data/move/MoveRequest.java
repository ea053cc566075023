package dev.slipway.shared.data.move;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/** What {@code POST /apps/{appId}/database/move} asks for: {@code targetUrl} (postgres://…), a database the owner runs. */
public record MoveRequest(DatabaseUrl target) {
    static final Set<String> FIELDS = Set.of("targetUrl");

    public static MoveRequest fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String raw = in.string("targetUrl").orElse(null);
        if (raw == null) {
            in.error("targetUrl", "is required");
        }
        in.throwIfInvalid();
        return new MoveRequest(DatabaseUrl.parse(raw, "/targetUrl"));
    }

    @Override
    public String toString() {
        return "MoveRequest[" + target + "]"; // the URL's toString has no password
    }
}
