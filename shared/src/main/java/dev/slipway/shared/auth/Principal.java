package dev.slipway.shared.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.util.Set;

/**
 * Who a request acts as, once authenticated: the bootstrap admin token, a scoped token, a deploy hook
 * or a GitHub webhook delivery. {@code apps} null means every app.
 */
public record Principal(Kind kind, String id, String name, Role role, Set<String> apps) {
    public enum Kind { ADMIN, TOKEN, HOOK, WEBHOOK, ANONYMOUS }

    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, null, null, null, Set.of());

    public static Principal token(String id, String name, Role role, Set<String> apps) {
        return new Principal(Kind.TOKEN, id, name, role, apps == null ? null : Set.copyOf(apps));
    }

    /** A deploy hook acts as a deployer of its one app. */
    public static Principal hook(String hookId, String name, String appId) {
        return new Principal(Kind.HOOK, hookId, name, Role.DEPLOYER, Set.of(appId));
    }

    /** A verified GitHub push delivery acts as a deployer of its one app. */
    public static Principal webhook(String deliveryId, String appId) {
        return new Principal(Kind.WEBHOOK, deliveryId, "github", Role.DEPLOYER, Set.of(appId));
    }

    public boolean allApps() {
        return apps == null;
    }

    public boolean mayUse(String appId) {
        return apps == null || apps.contains(appId);
    }

    /**
     * The actor audit events and deployments record: {@code admin}, {@code token:<id>:<name>},
     * {@code hook:<id>:<name>} or {@code github:<delivery id>}. {@link Actors} reads it back.
     */
    public String actorId() {
        return switch (kind) {
            case ADMIN -> "admin";
            case TOKEN -> "token:" + id + ":" + name;
            case HOOK -> "hook:" + id + ":" + name;
            case WEBHOOK -> "github:" + id;
            case ANONYMOUS -> "anonymous";
        };
    }

    /** Scope of Idempotency-Key records: another token (or hook) is another caller. */
    public String callerKey() {
        return switch (kind) {
            case ADMIN -> id == null ? "admin" : "admin:" + id;
            case TOKEN -> "token:" + id;
            case HOOK -> "hook:" + id;
            case WEBHOOK -> "github";
            case ANONYMOUS -> "anonymous";
        };
    }

    /**
     * What an actor id ({@link #actorId()}) says, for people: {@code {"kind":"token","tokenId","name"}},
     * {@code {"kind":"hook","hookId","name"}}, {@code {"kind":"github","deliveryId"}}, or just the kind
     * ({@code admin}, {@code workflow}, {@code cleanup} …).
     */
    public static ObjectNode describe(String actorId) {
        ObjectNode n = Json.object();
        if (actorId == null) {
            n.put("kind", "unknown");
            return n;
        }
        String[] p = actorId.split(":", 3);
        switch (p[0]) {
            case "token", "hook" -> {
                n.put("kind", p[0]);
                n.put(p[0] + "Id", p.length > 1 ? p[1] : null);
                n.put("name", p.length > 2 ? p[2] : null);
            }
            case "github" -> {
                n.put("kind", "github");
                n.put("deliveryId", p.length > 1 ? actorId.substring("github:".length()) : null);
            }
            default -> n.put("kind", p[0]);
        }
        return n;
    }
}
