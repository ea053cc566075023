package dev.slipway.shared.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * One link of an app's audit chain. {@code hash} is the SHA-256 of the canonical JSON of every
 * other field, {@code prevHash} included, so changing or removing any event breaks the chain.
 */
public record AuditEvent(
        String appId,
        long seq,
        Instant time,
        String actor,
        String action,
        String target,
        JsonNode before,
        JsonNode after,
        String requestId,
        String sourceIp,
        String prevHash,
        String hash) {

    /** The prevHash of an app's first event. */
    public static final String GENESIS = "0".repeat(64);

    public static AuditEvent next(AuditHead head, String appId, Instant time, Actor actor, String action, String target,
                                  JsonNode before, JsonNode after) {
        AuditEvent unsigned = new AuditEvent(appId, head.seq() + 1, time, actor.id(), action, target, before, after,
                actor.requestId(), actor.sourceIp(), head.hash(), null);
        return unsigned.withHash(unsigned.computeHash());
    }

    public AuditEvent withHash(String h) {
        return new AuditEvent(appId, seq, time, actor, action, target, before, after, requestId, sourceIp, prevHash, h);
    }

    /** The fields that are hashed, in canonical JSON. */
    public String canonicalJson() {
        ObjectNode n = Json.object();
        n.put("appId", appId);
        n.put("seq", seq);
        n.put("time", time.toString());
        n.put("actor", actor);
        n.put("action", action);
        n.put("target", target);
        n.set("before", before);
        n.set("after", after);
        n.put("requestId", requestId);
        n.put("sourceIp", sourceIp);
        n.put("prevHash", prevHash);
        return Json.canonical(n);
    }

    public String computeHash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The event as the API and the export files show it: every field, {@code hash} included.
     * Canonical when written with {@link Json#canonical}, so an export file is reproducible.
     */
    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("appId", appId);
        n.put("seq", seq);
        n.put("time", time.toString());
        n.put("actor", actor);
        n.put("action", action);
        n.put("target", target);
        n.set("before", before == null ? null : before.deepCopy());
        n.set("after", after == null ? null : after.deepCopy());
        n.put("requestId", requestId);
        n.put("sourceIp", sourceIp);
        n.put("prevHash", prevHash);
        n.put("hash", hash);
        return n;
    }

    /** The inverse of {@link #toJson()}; throws on a missing or mistyped field. */
    public static AuditEvent fromJson(JsonNode n) {
        return new AuditEvent(text(n, "appId"), n.get("seq").asLong(), Instant.parse(text(n, "time")), text(n, "actor"),
                text(n, "action"), text(n, "target"), nullable(n.get("before")), nullable(n.get("after")),
                text(n, "requestId"), text(n, "sourceIp"), text(n, "prevHash"), text(n, "hash"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode nullable(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    public AuditHead asHead() {
        return new AuditHead(seq, hash);
    }

    /** One append's events: at least one, and consecutive links of one app's chain. */
    public static void requireConsecutive(List<AuditEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events to append");
        }
        AuditEvent first = events.get(0);
        for (int i = 1; i < events.size(); i++) {
            AuditEvent prev = events.get(i - 1);
            AuditEvent e = events.get(i);
            if (!e.appId().equals(first.appId()) || e.seq() != prev.seq() + 1 || !e.prevHash().equals(prev.hash())) {
                throw new IllegalArgumentException("events must be consecutive links of one app's chain (at seq " + e.seq() + ")");
            }
        }
    }
}
