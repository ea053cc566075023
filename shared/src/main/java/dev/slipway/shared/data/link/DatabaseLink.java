package dev.slipway.shared.data.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.time.Instant;

/**
 * An app's linked database as it may be shown: kind, where, who linked it and the last connection
 * check. Never the password or the URL (that lives in the secret store only).
 */
public record DatabaseLink(String appId, String kind, String host, int port, String database, String user, String sslMode,
                           Instant linkedAt, String linkedBy, Check lastCheck) {
    /** A connection check: when, whether it connected, the server's version or the reason it did not. */
    public record Check(Instant at, boolean ok, String serverVersion, String detail) {
        ObjectNode json() {
            ObjectNode n = Json.object();
            n.put("at", at.toString());
            n.put("ok", ok);
            if (serverVersion != null) {
                n.put("serverVersion", serverVersion);
            }
            if (detail != null) {
                n.put("detail", detail);
            }
            return n;
        }

        static Check of(ObjectNode n) {
            return new Check(Instant.parse(n.get("at").asText()), n.get("ok").asBoolean(),
                    n.hasNonNull("serverVersion") ? n.get("serverVersion").asText() : null,
                    n.hasNonNull("detail") ? n.get("detail").asText() : null);
        }
    }

    /** Whether the link is a database on {@code host} (host names compare without case). */
    public boolean isOn(String host) {
        return host != null && this.host.equalsIgnoreCase(host);
    }

    public ObjectNode view() {
        ObjectNode n = Json.object();
        n.put("appId", appId);
        n.put("kind", kind);
        n.put("host", host);
        n.put("port", port);
        n.put("database", database);
        n.put("user", user);
        n.put("sslmode", sslMode);
        n.put("linkedAt", linkedAt.toString());
        n.put("linkedBy", linkedBy);
        n.set("lastCheck", lastCheck.json());
        return n;
    }

    static DatabaseLink of(ObjectNode n) {
        return new DatabaseLink(n.get("appId").asText(), n.get("kind").asText(), n.get("host").asText(), n.get("port").asInt(),
                n.get("database").asText(), n.get("user").asText(), n.get("sslmode").asText(), Instant.parse(n.get("linkedAt").asText()),
                n.get("linkedBy").asText(), Check.of((ObjectNode) n.get("lastCheck")));
    }

    DatabaseLink withCheck(Check check) {
        return new DatabaseLink(appId, kind, host, port, database, user, sslMode, linkedAt, linkedBy, check);
    }
}
