package dev.slipway.shared.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** What {@code POST /apps/{appId}/hooks} asks for: {@code name}, {@code ref} (default main), {@code target} (default production). */
public record NewHook(String name, String ref, DeployHook.Target target) {
    static final Set<String> FIELDS = Set.of("name", "ref", "target");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@/-]{0,63}");
    /** A branch name git accepts, conservatively (no "..", no leading '-', no control or special characters). */
    private static final Pattern REF = Pattern.compile("(?!.*\\.\\.)(?!.*//)(?!/)(?!-)[A-Za-z0-9._/-]{1,200}(?<![/.])");

    public static NewHook fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String name = in.string("name").orElse(null);
        if (name == null) {
            in.error("name", "is required");
        } else if (!NAME.matcher(name).matches()) {
            in.error("name", "must be 1-64 characters: letters, digits, space and . _ @ / -, starting with a letter or digit");
        }
        String ref = in.string("ref").orElse("main");
        if (!REF.matcher(ref).matches() || ref.endsWith(".lock")) {
            in.error("ref", "must be a branch name");
        }
        String t = in.string("target").orElse("production");
        DeployHook.Target target = null;
        switch (t) {
            case "production" -> target = DeployHook.Target.PRODUCTION;
            case "preview" -> target = DeployHook.Target.PREVIEW;
            default -> in.error("target", "must be \"production\" or \"preview\"");
        }
        in.throwIfInvalid();
        return new NewHook(name, ref, target);
    }

    static String wire(DeployHook.Target t) {
        return t.name().toLowerCase(Locale.ROOT);
    }
}
