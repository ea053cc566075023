package dev.slipway.shared.data.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.data.copy.SchemaScript;
import dev.slipway.shared.json.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backup holds, stored beside it in plain JSON ({@code manifest.json}): tables with row counts and
 * SHA-256 of their COPY text, the schema's objects by kind (count and hash of their definitions, which a
 * restore must bring back), the server's version, the object's size, how long the dump took, and the data key
 * wrapped by the app's backup key. Never a row or a credential.
 */
public record BackupManifest(String appId, String backupId, String kind, String serverVersion, Instant startedAt,
                             long durationMs, long bytes, String objectKey, String wrappedKey, List<Table> tables,
                             Map<String, SchemaScript.ObjectDigest> schemaObjects) {
    public static final int FORMAT = 1;

    public record Table(String schema, String name, long rows, String sha256, long copyBytes) {
    }

    public long rows() {
        return tables.stream().mapToLong(Table::rows).sum();
    }

    public ObjectNode json() {
        ObjectNode n = Json.object();
        n.put("format", FORMAT);
        n.put("appId", appId);
        n.put("backupId", backupId);
        n.put("kind", kind);
        n.put("serverVersion", serverVersion);
        n.put("startedAt", startedAt.toString());
        n.put("durationMs", durationMs);
        n.put("bytes", bytes);
        n.put("objectKey", objectKey);
        n.put("encryption", "AES-256-GCM, 1 MiB segments; data key wrapped by the app's backup key");
        n.put("wrappedKey", wrappedKey);
        var a = n.putArray("tables");
        for (Table t : tables) {
            ObjectNode x = a.addObject();
            x.put("schema", t.schema());
            x.put("name", t.name());
            x.put("rows", t.rows());
            x.put("sha256", t.sha256());
            x.put("copyBytes", t.copyBytes());
        }
        ObjectNode objects = n.putObject("schemaObjects");
        schemaObjects.forEach((k, v) -> objects.putObject(k).put("count", v.count()).put("sha256", v.sha256()));
        return n;
    }

    public static BackupManifest of(JsonNode n) {
        List<Table> tables = new ArrayList<>();
        n.get("tables").forEach(t -> tables.add(new Table(t.get("schema").asText(), t.get("name").asText(), t.get("rows").asLong(),
                t.get("sha256").asText(), t.get("copyBytes").asLong())));
        Map<String, SchemaScript.ObjectDigest> objects = new TreeMap<>(); // none in a backup made before they were carried
        n.path("schemaObjects").fields().forEachRemaining(e -> objects.put(e.getKey(),
                new SchemaScript.ObjectDigest(e.getValue().get("count").asInt(), e.getValue().get("sha256").asText())));
        return new BackupManifest(n.get("appId").asText(), n.get("backupId").asText(), n.get("kind").asText(),
                n.get("serverVersion").asText(), Instant.parse(n.get("startedAt").asText()), n.get("durationMs").asLong(),
                n.get("bytes").asLong(), n.get("objectKey").asText(), n.get("wrappedKey").asText(), List.copyOf(tables), objects);
    }
}
