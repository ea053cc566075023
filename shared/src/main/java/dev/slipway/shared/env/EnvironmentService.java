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
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An app's variables: names and scopes out, values only in. A change ({@link EnvironmentChange}) is checked
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

    /** The app's variables, names and scopes only: never a value. */
    public List<EnvVariable> list(String appId) {
        apps.get(AppId.require(appId)); // 404 for an unknown app
        return environment.list(appId);
    }

    /** Applies a checked change; answers the variables after it, as {@link #list} does. */
    public List<EnvVariable> change(String appId, EnvironmentChange c, Actor actor) {
        apps.get(AppId.require(appId));
        Map<String, EnvVariable> current = new TreeMap<>();
        environment.list(appId).forEach(v -> current.put(v.name(), v));

        // Only what differs is written and audited: values are compared here, server side.
        Map<String, AppEnvironment.Entry> set = new TreeMap<>();
        Map<EnvScope, Map<String, String>> values = new EnumMap<>(EnvScope.class);
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
            return current.values().stream().toList();
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
        return environment.list(appId);
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
}
