package dev.slipway.shared.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.JsonObjectReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What {@code PATCH /apps/{appId}/environment} asks for, checked:
 * {@code {"set": {NAME: {value, scopes?}}, "remove": [NAME]}}. Values only come in; an error names
 * the field by its JSON Pointer, never with its value.
 */
public record EnvironmentChange(Map<String, AppEnvironment.Entry> set, List<String> remove) {
    /** What the build runner or the build image sets itself: an app must not shadow them. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "TMPDIR", "CI", "PWD", "SHELL");
    private static final List<String> RESERVED_PREFIXES = List.of("SLIPWAY_", "AWS_", "CODEBUILD_");

    /** The whole body, checked: every error is listed with its JSON Pointer; nothing is written on any. */
    public static EnvironmentChange fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, Set.of("set", "remove"));
        List<FieldError> errors = new ArrayList<>();
        Map<String, AppEnvironment.Entry> set = new TreeMap<>();
        JsonNode s = body.get("set");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                errors.add(new FieldError("/set", "must be an object of NAME: {value, scopes}"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String p = "/set/" + pointer(f.getKey());
                    String nameError = nameError(f.getKey(), EnvironmentService.NAME, true);
                    if (nameError != null) {
                        errors.add(new FieldError(p, nameError));
                        continue;
                    }
                    AppEnvironment.Entry e = entry(f.getValue(), p, errors);
                    if (e != null) {
                        set.put(f.getKey(), e);
                    }
                }
            }
        }
        Set<String> remove = new LinkedHashSet<>();
        JsonNode r = body.get("remove");
        if (r != null && !r.isNull()) {
            if (!r.isArray()) {
                errors.add(new FieldError("/remove", "must be an array of names"));
            } else {
                for (int i = 0; i < r.size(); i++) {
                    JsonNode n = r.get(i);
                    String nameError = n.isTextual() ? nameError(n.textValue(), EnvironmentService.STORED_NAME, false) : "must be a string";
                    if (nameError != null) {
                        errors.add(new FieldError("/remove/" + i, nameError));
                    } else if (set.containsKey(n.textValue())) {
                        errors.add(new FieldError("/remove/" + i, "is also in set"));
                    } else {
                        remove.add(n.textValue());
                    }
                }
            }
        }
        int count = (s != null && s.isObject() ? s.size() : 0) + (r != null && r.isArray() ? r.size() : 0);
        if (count == 0 && errors.isEmpty()) {
            errors.add(new FieldError("", "give \"set\" or \"remove\""));
        }
        if (count > EnvironmentService.MAX_NAMES_PER_CHANGE) {
            errors.add(new FieldError("", "at most " + EnvironmentService.MAX_NAMES_PER_CHANGE + " names per change, got " + count));
        }
        in.throwIfInvalid();
        if (!errors.isEmpty()) {
            throw new DomainException(DomainError.VALIDATION_FAILED,
                    errors.size() == 1 ? (errors.get(0).pointer() + " " + errors.get(0).detail()).trim()
                            : errors.size() + " fields are invalid", errors);
        }
        return new EnvironmentChange(set, List.copyOf(remove));
    }

    private static AppEnvironment.Entry entry(JsonNode v, String p, List<FieldError> errors) {
        if (!v.isObject()) {
            errors.add(new FieldError(p, "must be an object {value, scopes}"));
            return null;
        }
        int before = errors.size();
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("value") && !f.equals("scopes")) {
                errors.add(new FieldError(p + "/" + pointer(f), "unknown field; accepted: scopes, value"));
            }
        }
        JsonNode value = v.get("value");
        if (value == null || !value.isTextual()) {
            errors.add(new FieldError(p + "/value", "must be a string"));
        } else {
            int bytes = value.textValue().getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > EnvironmentService.MAX_VALUE_BYTES) {
                errors.add(new FieldError(p + "/value", "must be 1 to " + EnvironmentService.MAX_VALUE_BYTES + " bytes (UTF-8), got " + bytes));
            }
        }
        Set<EnvScope> scopes = EnumSet.noneOf(EnvScope.class);
        JsonNode sc = v.get("scopes");
        if (sc == null || sc.isNull()) {
            scopes.addAll(EnvScope.ALL);
        } else if (!sc.isArray() || sc.isEmpty()) {
            errors.add(new FieldError(p + "/scopes", "must be a non-empty array of \"production\", \"preview\""));
        } else {
            for (int i = 0; i < sc.size(); i++) {
                try {
                    if (!sc.get(i).isTextual() || !scopes.add(EnvScope.of(sc.get(i).textValue()))) {
                        errors.add(new FieldError(p + "/scopes/" + i, "is not a scope, or is repeated"));
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldError(p + "/scopes/" + i, "must be \"production\" or \"preview\""));
                }
            }
        }
        return errors.size() == before ? new AppEnvironment.Entry(value.textValue(), scopes) : null;
    }

    /** {@code setting}: reserved names may not be set, but one an import stored may be removed. */
    private static String nameError(String name, Pattern pattern, boolean setting) {
        if (!pattern.matcher(name).matches()) {
            return "is not a variable name " + pattern.pattern();
        }
        if (setting && RESERVED.contains(name) || RESERVED_PREFIXES.stream().anyMatch(name::startsWith)) {
            return "is reserved for the build";
        }
        return null;
    }

    private static String pointer(String name) {
        String safe = name.length() > 64 ? name.substring(0, 64) : name;
        return safe.replace("~", "~0").replace("/", "~1").replaceAll("[^\\x20-\\x7e]", "?");
    }
}
