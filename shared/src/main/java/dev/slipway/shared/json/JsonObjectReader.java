package dev.slipway.shared.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.errors.DomainError;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an untrusted JSON object field by field: unknown fields are refused by name, types are
 * checked without coercion ({@code "name": 5} is an error, not "5"), and every problem is
 * collected with its JSON Pointer so one answer lists them all.
 */
public final class JsonObjectReader {
    private final ObjectNode node;
    private final String pointer;
    private final List<FieldError> errors;

    private JsonObjectReader(ObjectNode node, String pointer, List<FieldError> errors) {
        this.node = node;
        this.pointer = pointer;
        this.errors = errors;
    }

    /** Refuses, with 400 unknown-field, any field not in {@code allowed} (nested readers too). */
    public static JsonObjectReader of(ObjectNode node, Set<String> allowed) {
        JsonObjectReader r = new JsonObjectReader(node, "", new ArrayList<>());
        r.refuseUnknown(allowed);
        return r;
    }

    private void refuseUnknown(Set<String> allowed) {
        List<FieldError> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                unknown.add(new FieldError(pointer + "/" + escape(f), "unknown field; accepted: " + String.join(", ", allowed.stream().sorted().toList())));
            }
        }
        if (!unknown.isEmpty()) {
            throw new DomainException(DomainError.UNKNOWN_FIELD,
                    "Unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream().map(FieldError::pointer).toList()),
                    unknown);
        }
    }

    public boolean has(String field) {
        return node.has(field);
    }

    public boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    /** The field as text; absent or JSON null gives empty, any other type is an error. */
    public Optional<String> string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            error(field, "must be a string");
            return Optional.empty();
        }
        return Optional.of(v.textValue());
    }

    /** The field as a whole number; absent or null gives empty, anything else is an error. */
    public Optional<Long> longValue(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            error(field, "must be a whole number");
            return Optional.empty();
        }
        return Optional.of(v.longValue());
    }

    /** The field as true/false; absent or null gives empty, anything else is an error. */
    public Optional<Boolean> bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            error(field, "must be true or false");
            return Optional.empty();
        }
        return Optional.of(v.booleanValue());
    }

    public Optional<JsonObjectReader> object(String field, Set<String> allowed) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            error(field, "must be an object");
            return Optional.empty();
        }
        JsonObjectReader nested = new JsonObjectReader((ObjectNode) v, pointer + "/" + escape(field), errors);
        nested.refuseUnknown(allowed);
        return Optional.of(nested);
    }

    public void error(String field, String detail) {
        errors.add(new FieldError(pointer + "/" + escape(field), detail));
    }

    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            String summary = errors.size() == 1
                    ? errors.get(0).pointer() + " " + errors.get(0).detail()
                    : errors.size() + " fields are invalid";
            throw new DomainException(DomainError.VALIDATION_FAILED, summary, errors);
        }
    }

    private static String escape(String name) {
        String safe = name.length() > 64 ? name.substring(0, 64) : name;
        return safe.replace("~", "~0").replace("/", "~1").replaceAll("[^\\x20-\\x7e]", "?");
    }
}
