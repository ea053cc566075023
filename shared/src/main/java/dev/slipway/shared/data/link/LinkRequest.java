package dev.slipway.shared.data.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/** What {@code PUT /apps/{appId}/database} asks for: {@code url} (postgres://…) and {@code kind} (default postgres). */
public record LinkRequest(DatabaseUrl url, String kind) {
    public static final Set<String> KINDS = Set.of("supabase", "neon", "postgres");
    static final Set<String> FIELDS = Set.of("url", "kind");

    public static LinkRequest fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String kind = in.string("kind").orElse("postgres");
        if (!KINDS.contains(kind)) {
            in.error("kind", "must be \"supabase\", \"neon\" or \"postgres\"");
        }
        String raw = in.string("url").orElse(null);
        if (raw == null) {
            in.error("url", "is required");
        }
        in.throwIfInvalid();
        DatabaseUrl url = DatabaseUrl.parse(raw, "/url");
        return new LinkRequest(url, kind);
    }

    @Override
    public String toString() {
        return "LinkRequest[" + url + ", " + kind + "]"; // the URL's toString has no password
    }

}
