package dev.slipway.shared.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * GET / PATCH /apps/{appId}/environment: names and scopes out, values only in. A PATCH is checked
 * whole before anything is written; a PATCH that changes nothing writes nothing (so a retry of
 * one that succeeded is a no-op), and each change has one {@code environment.changed} audit event
 * naming variables and scopes, never values.
 */
public final class EnvironmentService {
    /** What a shell can export (the buildspec exports nothing else). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** What an import may have stored (.env keys): such names can still be removed. */
    static final Pattern STORED_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    /** SSM's standard tier holds 4 KB per parameter. */
    public static final int MAX_VALUE_BYTES = 4096;
    public static final int MAX_NAMES_PER_CHANGE = 100;
    /** What the build runner or the build image sets itself: an app must not shadow them. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "TMPDIR", "CI", "PWD", "SHELL");
    private static final List<String> RESERVED_PREFIXES = List.of("SLIPWAY_", "AWS_", "CODEBUILD_");
    private static final int MAX_ATTEMPTS = 5;

    private final AppService apps;
    private final AppEnvironment environment;
    private final DynamoDbEnhancedClient dynamo;
    private final AuditLedger ledger;
    private final Clock clock;

    public EnvironmentService(AppService apps, AppEnvironment environment, DynamoDbEnhancedClient dynamo,
                              AuditLedger ledger, Clock clock) {
        this.apps = apps;
        this.environment = environment;
        this.dynamo = dynamo;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** {@code {variables: [{name, scopes, updatedAt?}]}}: never a value. */
    public ObjectNode list(String appId) {
        apps.get(AppId.require(appId)); // 404 for an unknown app
        return view(environment.list(appId));
    }

    /** {@code {"set": {NAME: {value, scopes?}}, "remove": [NAME]}} → the listing after the change. */
    public ObjectNode change(String appId, ObjectNode body, Actor actor) {
        apps.get(AppId.require(appId));
        Change c = parse(body);
        Map<String, EnvVariable> current = new TreeMap<>();
        environment.list(appId).forEach(v -> current.put(v.name(), v));

        // Only what differs is written and audited: values are compared here, server side.
        Map<String, AppEnvironment.Entry> set = new TreeMap<>();
        Map<EnvScope, Map<String, String>> values = new java.util.EnumMap<>(EnvScope.class);
        c.set().forEach((name, e) -> {
            EnvVariable now = current.get(name);
            boolean same = now != null && now.scopes().equals(e.scopes()) && e.scopes().stream()
                    .allMatch(s -> e.value().equals(values.computeIfAbsent(s, x -> environment.values(appId, x)).get(name)));
            if (!same) {
                set.put(name, e);
            }
        });
        List<String> remove = c.remove().stream().filter(current::containsKey).toList();
        if (set.isEmpty() && remove.isEmpty()) {
            return view(current.values().stream().toList());
        }

        // The event is written first: a change never exists without its event. If the write below
        // fails, the caller gets a 5xx (not kept for Idempotency-Key) and a retry writes it.
        ObjectNode before = Json.object();
        ObjectNode after = Json.object();
        for (String name : new TreeSet<>(union(set.keySet(), remove))) {
            EnvVariable now = current.get(name);
            if (now != null) {
                before.set(name, scopes(now.scopes()));
            }
            if (set.containsKey(name)) {
                after.set(name, scopes(set.get(name).scopes()));
            }
        }
        ObjectNode detail = Json.object();
        detail.set("set", Json.MAPPER.valueToTree(set.keySet()));
        detail.set("removed", Json.MAPPER.valueToTree(remove));
        ObjectNode afterWithNames = Json.object();
        afterWithNames.set("variables", after);
        afterWithNames.setAll(detail);
        ObjectNode beforeWithNames = Json.object();
        beforeWithNames.set("variables", before);
        audit(appId, actor, beforeWithNames, afterWithNames);
        environment.change(appId, set, remove);
        return view(environment.list(appId));
    }

    private void audit(String appId, Actor actor, JsonNode before, JsonNode after) {
        for (int attempt = 1; ; attempt++) {
            AuditEvent event = AuditEvent.next(ledger.head(appId), appId, clock.instant(), actor, "environment.changed",
                    "environment/" + appId, before, after);
            var tx = TransactWriteItemsEnhancedRequest.builder();
            List<WriteConflict.Part> parts = ledger.appendTo(tx, event);
            try {
                Transactions.write(dynamo, tx.build(), parts);
                return;
            } catch (WriteConflict e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION,
                            "App " + appId + " kept changing while this request ran; retry it");
                }
            }
        }
    }

    record Change(Map<String, AppEnvironment.Entry> set, List<String> remove) {
    }

    /** The whole body, checked: every error is listed with its JSON Pointer; nothing is written on any. */
    static Change parse(ObjectNode body) {
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
                    String nameError = nameError(f.getKey(), NAME, true);
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
                    String nameError = n.isTextual() ? nameError(n.textValue(), STORED_NAME, false) : "must be a string";
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
        if (count > MAX_NAMES_PER_CHANGE) {
            errors.add(new FieldError("", "at most " + MAX_NAMES_PER_CHANGE + " names per change, got " + count));
        }
        in.throwIfInvalid();
        if (!errors.isEmpty()) {
            throw new DomainException(DomainError.VALIDATION_FAILED,
                    errors.size() == 1 ? (errors.get(0).pointer() + " " + errors.get(0).detail()).trim()
                            : errors.size() + " fields are invalid", errors);
        }
        return new Change(set, List.copyOf(remove));
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
            if (bytes == 0 || bytes > MAX_VALUE_BYTES) {
                errors.add(new FieldError(p + "/value", "must be 1 to " + MAX_VALUE_BYTES + " bytes (UTF-8), got " + bytes));
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

    private static Set<String> union(Set<String> a, List<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private static ArrayNode scopes(Set<EnvScope> scopes) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        scopes.stream().sorted().forEach(s -> a.add(s.id()));
        return a;
    }

    static ObjectNode view(List<EnvVariable> variables) {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("variables");
        for (EnvVariable v : variables) {
            ObjectNode n = list.addObject();
            n.put("name", v.name());
            n.set("scopes", scopes(v.scopes()));
            if (v.updatedAt() != null) {
                n.put("updatedAt", v.updatedAt().toString());
            }
        }
        return out;
    }
}
