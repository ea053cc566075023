package dev.slipway.shared.data.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.data.copy.SchemaPrerequisites;
import dev.slipway.shared.data.copy.SchemaScript;
import dev.slipway.shared.data.copy.TableCopy;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.move.MoveFindings;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Logical backups of an app's schemas, streamed with bounded memory whatever the data's size: one
 * snapshot of the source (REPEATABLE READ, read only) → the schema script and each table's COPY text →
 * gzip → AES-GCM segments ({@link SegmentedAead}, a fresh data key per backup) → one S3 object in
 * parts; then {@code manifest.json} beside it. Restores read the same stream back into any Postgres in
 * one transaction; {@link #verify} restores into a scratch database and compares counts and checksums.
 */
public final class BackupEngine {
    static final String PREFIX = "database-backups/";
    private final S3Client s3;
    private final String bucket;
    private final BackupKeys keys;
    private final Clock clock;

    public BackupEngine(S3Client s3, String bucket, BackupKeys keys, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.keys = keys;
        this.clock = clock;
    }

    public static String folder(String appId, String backupId) {
        return PREFIX + appId + "/" + backupId + "/";
    }

    public static String objectKey(String appId, String backupId) {
        return folder(appId, backupId) + "backup.slwb";
    }

    public static String manifestKey(String appId, String backupId) {
        return folder(appId, backupId) + "manifest.json";
    }

    /** The app's schemas: all but the system's; for Supabase not the platform's, but auth.users as data. */
    public static SchemaScript.Scope scopeOf(String kind) {
        if (kind.equals("supabase")) {
            Predicate<String> app = s -> !MoveFindings.PLATFORM_SCHEMAS.contains(s);
            return new SchemaScript.Scope(app, t -> app.test(t.schema()) || (t.schema().equals("auth") && t.name().equals("users")));
        }
        return SchemaScript.Scope.schemas(s -> !SchemaScript.SYSTEM_SCHEMAS.contains(s));
    }

    /** What a verify found: the differences from the manifest (none: the backup is good), and what the restore had to make. */
    public record Verification(List<String> differences, SchemaPrerequisites.Outcome prepared) {
    }

    /** Dumps the source (the caller's connection, not used otherwise meanwhile) and stores the backup and its manifest. */
    public BackupManifest dump(Connection source, String appId, String backupId, String kind, Runnable progress)
            throws SQLException, IOException {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false);
        source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        source.setReadOnly(true);
        String key = objectKey(appId, backupId);
        MultipartUpload upload = new MultipartUpload(s3, bucket, key);
        BackupKeys.DataKey dataKey = keys.newDataKey(appId);
        List<BackupManifest.Table> tables = new ArrayList<>();
        String version;
        SchemaScript schema;
        try {
            version = DatabaseLinks.serverVersion(source); // the first statement fixes the snapshot
            schema = SchemaScript.read(source, scopeOf(kind));
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    new FastGzip(SegmentedAead.encrypt(dataKey.key(), upload)), 1 << 16))) {
                out.write(BackupStream.MAGIC);
                try (OutputStream s = new BackupStream.SectionWriter(out, 'S', 0)) {
                    s.write(Json.write(schemaJson(schema)).getBytes(StandardCharsets.UTF_8));
                }
                int n = 0;
                for (SchemaScript.TableRef t : schema.tables()) {
                    TableCopy.Stats stats;
                    try (OutputStream s = new BackupStream.SectionWriter(out, 'T', n++)) {
                        stats = TableCopy.copyOut(source, t, s);
                    }
                    tables.add(new BackupManifest.Table(t.schema(), t.name(), stats.rows(), stats.sha256(), stats.bytes()));
                    progress.run();
                }
                out.writeByte('E');
            } catch (IOException | SQLException | RuntimeException e) {
                upload.abort();
                throw e;
            }
            source.commit();
        } finally {
            Arrays.fill(dataKey.key(), (byte) 0);
            try {
                source.rollback();
            } catch (SQLException ignored) {
                // already committed, or the connection is gone
            }
            source.setReadOnly(false);
            source.setAutoCommit(autoCommit);
        }
        BackupManifest manifest = new BackupManifest(appId, backupId, kind, version, started,
                Duration.ofNanos(System.nanoTime() - t0).toMillis(), upload.bytes(), key, dataKey.wrapped(), List.copyOf(tables), schema.digest());
        s3.putObject(r -> r.bucket(bucket).key(manifestKey(appId, backupId)).contentType("application/json"),
                RequestBody.fromString(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest.json())));
        return manifest;
    }

    public BackupManifest manifest(String appId, String backupId) throws IOException {
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(manifestKey(appId, backupId)))) {
            return BackupManifest.of(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (NoSuchKeyException e) {
            throw new IOException("backup " + backupId + " has no manifest", e);
        }
    }

    /**
     * Restores the backup into {@code target} in one transaction: a failure leaves the target as it was.
     * {@code replace}: the backup's tables are dropped first (a restore over a database that has them). What the
     * schema needs is made first ({@link SchemaPrerequisites}: extensions, roles, Supabase's auth functions) and
     * answered; a role the target lacks and may not create fails the restore (its grants and policies would be lost).
     */
    public SchemaPrerequisites.Outcome restore(BackupManifest m, Connection target, boolean replace) throws SQLException, IOException {
        boolean autoCommit = target.getAutoCommit();
        target.setAutoCommit(false);
        byte[] key = keys.unwrap(m.appId(), m.wrappedKey());
        try (InputStream raw = s3.getObject(r -> r.bucket(bucket).key(m.objectKey()));
             DataInputStream in = new DataInputStream(new BufferedInputStream(
                     new GZIPInputStream(SegmentedAead.decrypt(key, raw), 1 << 16), 1 << 16))) {
            byte[] magic = in.readNBytes(BackupStream.MAGIC.length);
            if (!Arrays.equals(magic, BackupStream.MAGIC)) {
                throw new IOException("not a Slipway backup (format " + BackupManifest.FORMAT + ")");
            }
            SchemaScript schema = null;
            SchemaPrerequisites.Outcome prepared = null;
            while (true) {
                int kind = in.readUnsignedByte();
                if (kind == 'E') {
                    break;
                }
                int number = in.readInt();
                BackupStream.SectionReader section = new BackupStream.SectionReader(in);
                if (kind == 'S') {
                    schema = schemaOf(Json.parse(new String(section.readAllBytes(), StandardCharsets.UTF_8)));
                    prepared = SchemaPrerequisites.prepare(target, schema);
                    if (!prepared.rolesMissing().isEmpty()) {
                        throw new IOException("the backup grants to role(s) " + String.join(", ", prepared.rolesMissing()) + ", which the target"
                                + " lacks and its user may not create (CREATEROLE): create them (NOLOGIN is enough) and restore again");
                    }
                    try (Statement s = target.createStatement()) {
                        if (replace) {
                            for (SchemaScript.TableRef t : schema.tables()) {
                                s.execute("DROP TABLE IF EXISTS " + t.qualified() + " CASCADE");
                            }
                        }
                        for (String sql : schema.before()) {
                            s.execute(sql);
                        }
                    }
                } else if (kind == 'T' && schema != null && number >= 0 && number < schema.tables().size()) {
                    TableCopy.copyIn(target, schema.tables().get(number), section);
                    section.drain();
                } else {
                    throw new IOException("backup damaged: an unexpected section " + kind);
                }
            }
            if (schema == null) {
                throw new IOException("backup damaged: no schema section");
            }
            try (Statement s = target.createStatement()) {
                for (String sql : schema.after()) {
                    s.execute(sql);
                }
            }
            target.commit();
            return prepared;
        } catch (IOException | SQLException | RuntimeException e) {
            target.rollback();
            throw e;
        } finally {
            Arrays.fill(key, (byte) 0);
            target.setAutoCommit(autoCommit);
        }
    }

    /**
     * Restores into {@code scratch} (an empty database) and compares each table's rows and checksum, and the
     * schema's objects, with the manifest; answers the differences (empty: the backup is good). A backup that
     * does not restore throws.
     */
    public List<String> verify(BackupManifest m, Connection scratch) throws SQLException, IOException {
        return check(m, scratch).differences();
    }

    /** {@link #verify}, with what the restore had to make in the scratch database. */
    public Verification check(BackupManifest m, Connection scratch) throws SQLException, IOException {
        SchemaPrerequisites.Outcome prepared = restore(m, scratch, false);
        return new Verification(compare(m, scratch), prepared);
    }

    /**
     * Compares a restored copy with the manifest: each table's rows and the SHA-256 of its COPY text (a freshly
     * loaded table gives its rows back in the order they were loaded), and the schema's objects of each kind
     * (functions, triggers, policies, grants …: count and hash of their definitions). Answers the differences.
     */
    public List<String> compare(BackupManifest m, Connection scratch) throws SQLException, IOException {
        List<String> differences = new ArrayList<>();
        for (BackupManifest.Table t : m.tables()) {
            TableCopy.Stats restored = TableCopy.stats(scratch, new SchemaScript.TableRef(t.schema(), t.name()));
            if (restored.rows() != t.rows() || !restored.sha256().equals(t.sha256())) {
                differences.add(t.schema() + "." + t.name() + ": " + t.rows() + " rows, checksum " + t.sha256().substring(0, 12)
                        + " in the backup; restored " + restored.rows() + " rows, checksum " + restored.sha256().substring(0, 12));
            }
        }
        if (!m.schemaObjects().isEmpty()) {
            differences.addAll(SchemaScript.differences(m.schemaObjects(), SchemaScript.read(scratch, scopeOf(m.kind())).digest()));
        }
        return differences;
    }

    /** Removes the backup's objects (all under its folder). */
    public void delete(String appId, String backupId) {
        String prefix = folder(appId, backupId);
        s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()
                .forEach(o -> s3.deleteObject(r -> r.bucket(bucket).key(o.key())));
        // an unfinished multipart upload (a killed dump) is dropped too
        s3.listMultipartUploads(r -> r.bucket(bucket).prefix(prefix)).uploads()
                .forEach(u -> s3.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
    }

    private static ObjectNode schemaJson(SchemaScript s) {
        ObjectNode n = Json.object();
        var t = n.putArray("tables");
        s.tables().forEach(x -> t.addObject().put("schema", x.schema()).put("name", x.name()));
        var b = n.putArray("before");
        s.before().forEach(b::add);
        var a = n.putArray("after");
        s.after().forEach(a::add);
        var e = n.putArray("extensions");
        s.extensions().forEach(x -> e.addObject().put("name", x.name()).put("schema", x.schema()));
        var r = n.putArray("roles");
        s.roles().forEach(r::add);
        return n;
    }

    private static SchemaScript schemaOf(JsonNode n) {
        List<SchemaScript.TableRef> tables = new ArrayList<>();
        n.get("tables").forEach(x -> tables.add(new SchemaScript.TableRef(x.get("schema").asText(), x.get("name").asText())));
        List<String> before = new ArrayList<>();
        n.get("before").forEach(x -> before.add(x.asText()));
        List<String> after = new ArrayList<>();
        n.get("after").forEach(x -> after.add(x.asText()));
        List<SchemaScript.Extension> extensions = new ArrayList<>(); // none in a backup made before they were carried
        n.path("extensions").forEach(x -> extensions.add(new SchemaScript.Extension(x.get("name").asText(), x.get("schema").asText())));
        List<String> roles = new ArrayList<>();
        n.path("roles").forEach(x -> roles.add(x.asText()));
        return new SchemaScript(tables, before, after, extensions, roles, Map.of());
    }

    /** gzip at its fastest level: the dump must keep pace with pg_dump -Fc, and the bytes are encrypted anyway. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
