package dev.slipway.shared.deploy.preview;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/**
 * What {@code POST /apps/{app}/previews/{name}/promote} asks for: whether to build the preview's
 * commit for production when its release cannot be promoted as it is (default false: refused).
 */
public record PreviewPromotion(boolean rebuild) {
    static final Set<String> FIELDS = Set.of("rebuild");

    /** Reads the (optional, then {@code {}}) request body. */
    public static PreviewPromotion fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        boolean rebuild = in.bool("rebuild").orElse(false);
        in.throwIfInvalid();
        return new PreviewPromotion(rebuild);
    }
}
