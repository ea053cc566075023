package dev.slipway.shared.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code POST /apps} asks for, checked: a name, the id (given, or derived from the name) and
 * the owner's build settings.
 */
public record NewApp(String id, String name, BuildSettings build) {
    static final Set<String> FIELDS = Set.of("name", "id", "build");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    /** Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written. */
    public static NewApp fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String name = name(in);
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
                .map(b -> BuildSettingsInput.read(b).applyTo(BuildSettings.NONE))
                .orElse(BuildSettings.NONE);
        in.throwIfInvalid();
        return new NewApp(id, name, build);
    }

    /** The required {@code name}, stripped; a problem is recorded on {@code in}. Shared with {@link AppPatch}. */
    static String name(JsonObjectReader in) {
        if (!in.has("name") || in.isNull("name")) {
            in.error("name", "is required");
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
}
