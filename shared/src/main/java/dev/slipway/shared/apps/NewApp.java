package dev.slipway.shared.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Locale;
import java.util.Set;

/**
 * What {@code POST /apps} asks for, checked: a name, the id (given, or derived from the name) and
 * the owner's build settings.
 */
public record NewApp(String id, String name, BuildSettings build) {
    static final Set<String> FIELDS = Set.of("name", "id", "build");

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
        } else {
            String refused = refusedCharacter(name);
            if (refused != null) {
                in.error("name", refused);
            }
        }
        return name;
    }

    /**
     * Why a name's characters are refused, or null. A name is shown in lists, logs and audit trails, so
     * it may not hide or reorder text: no control characters (C0, DEL, C1; line and paragraph
     * separators), no format characters (Unicode category Cf: the bidi controls U+202A–U+202E,
     * U+2066–U+2069, U+200E, U+200F, U+061C, the zero-width U+200B–U+200D, U+2060, U+FEFF, the soft
     * hyphen …) and no unpaired surrogates.
     */
    static String refusedCharacter(String name) {
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            switch (Character.getType(cp)) {
                case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> {
                    return "must not contain control characters";
                }
                case Character.FORMAT -> {
                    return String.format(Locale.ROOT, "must not contain invisible formatting characters such as bidi controls"
                            + " or zero-width characters (U+%04X)", cp);
                }
                case Character.SURROGATE -> {
                    return "must be valid Unicode text (it holds an unpaired surrogate)";
                }
                default -> i += Character.charCount(cp);
            }
        }
        return null;
    }
}
