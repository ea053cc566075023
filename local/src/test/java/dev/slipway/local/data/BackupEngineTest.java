package dev.slipway.local.data;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.backup.BackupEngine;
import dev.slipway.shared.data.backup.BackupKeys;
import dev.slipway.shared.data.backup.BackupManifest;
import dev.slipway.shared.data.link.DatabaseSecrets;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups on real engines (Postgres, the S3 server): a source with bytea, jsonb, arrays, NULLs,
 * Unicode, enums, serial and identity keys, foreign keys, a view and a table of a million rows →
 * backup → restore elsewhere → equal counts and checksums, and the same rows; a damaged or cut
 * backup is detected and leaves the target untouched.
 */
class BackupEngineTest {
    static EmbeddedEngines engines;
    static BackupEngine engine;
    static ScratchDatabase source;
    static BackupManifest manifest;
    static final String APP = "bk-" + System.nanoTime() % 100000;

    @BeforeAll
    static void sourceAndBackup() throws Exception {
        engines = EmbeddedEngines.get();
        String bucket = engines.bucketName("ArtifactsBucket");
        engine = new BackupEngine(engines.s3Client, bucket,
                new BackupKeys(DatabaseSecrets.local(Files.createTempDirectory("slipway-backup-keys-"))), Clock.systemUTC());
        source = TestPostgres.freshDatabase();
        try (Connection c = source.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')");
            s.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, mood mood,"
                    + " photo bytea, prefs jsonb, tags text[], scores int[], created timestamptz DEFAULT now(), balance numeric(12,2),"
                    + " ratio double precision)");
            s.execute("INSERT INTO customers (name, email, mood, photo, prefs, tags, scores, balance, ratio) VALUES"
                    + " ('Zoë Ångström', 'zoe@example.com', 'happy', '\\x00ff10'::bytea, '{\"a\":[1,2,{\"b\":null}],\"ü\":\"ß\"}', '{x,\"y z\",NULL}', '{1,2,3}', 12.5, 0.1),"
                    + " ('李雷', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                    + " (E'tab\\there\\nnewline \\\\ back', 'tricky@example.com', 'sad', ''::bytea, '[]', '{}', '{}', -0.01, 'NaN'),"
                    + " ('emoji 🚀', 'rocket@example.com', 'happy', decode(repeat('ab', 5000), 'hex'), '{\"deep\":{\"er\":[true,false]}}', '{\"\"}', '{-1}', 1e9, -1.5e-300)");
            s.execute("CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customers(id),"
                    + " total numeric, note text, CHECK (total >= 0))");
            s.execute("INSERT INTO orders (customer_id, total, note) SELECT 1 + (g % 4), g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END"
                    + " FROM generate_series(1, 500) g");
            s.execute("CREATE INDEX orders_by_customer ON orders (customer_id)");
            s.execute("CREATE SCHEMA billing");
            s.execute("CREATE TABLE billing.events (at timestamptz NOT NULL, payload jsonb)");
            s.execute("INSERT INTO billing.events VALUES ('2026-01-01T00:00:00Z', '{\"k\":1}')");
            s.execute("CREATE TABLE big (id int PRIMARY KEY, body text)");
            s.execute("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 1000000) g");
            s.execute("CREATE VIEW big_customers AS SELECT c.name, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name");
        }
        try (Connection c = source.connect()) {
            manifest = engine.dump(c, APP, "01backup" + System.nanoTime(), "postgres", () -> { });
        }
    }

    @AfterAll
    static void drop() throws Exception {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void theManifestCountsEveryTable() {
        Map<String, Long> rows = new TreeMap<>();
        manifest.tables().forEach(t -> rows.put(t.schema() + "." + t.name(), t.rows()));
        assertEquals(Map.of("billing.events", 1L, "public.big", 1_000_000L, "public.customers", 4L, "public.orders", 500L), rows);
        assertTrue(manifest.serverVersion().startsWith("16"), manifest.serverVersion());
        assertTrue(manifest.bytes() > 1000 && manifest.bytes() < 40_000_000, "compressed: " + manifest.bytes());
        manifest.tables().forEach(t -> assertEquals(64, t.sha256().length()));
    }

    @Test
    void restoresToEqualCountsChecksumsAndRows() throws Exception {
        try (ScratchDatabase target = TestPostgres.freshDatabase(); Connection c = target.connect()) {
            assertEquals(List.of(), engine.verify(manifest, c));
            try (Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT name, email, mood, photo, prefs::text, tags, scores, balance, ratio::text FROM customers ORDER BY id")) {
                    assertTrue(r.next());
                    assertEquals("Zoë Ångström", r.getString(1));
                    assertEquals("happy", r.getString(3));
                    assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, r.getBytes(4));
                    assertEquals("{\"a\": [1, 2, {\"b\": null}], \"ü\": \"ß\"}", r.getString(5));
                    assertEquals("{x,\"y z\",NULL}", r.getString(6));
                    assertTrue(r.next());
                    assertEquals("李雷", r.getString(1));
                    r.getString(2);
                    assertTrue(r.wasNull());
                    assertTrue(r.next());
                    assertEquals("tab\there\nnewline \\ back", r.getString(1));
                    assertEquals("NaN", r.getString(9));
                }
                // keys, constraints and sequences came along: the next ids continue, bad rows are refused
                s.execute("INSERT INTO customers (name) VALUES ('next')");
                try (ResultSet r = s.executeQuery("SELECT max(id) FROM customers")) {
                    r.next();
                    assertEquals(5, r.getInt(1));
                }
                s.execute("INSERT INTO orders (customer_id, total) VALUES (1, 1)");
                try (ResultSet r = s.executeQuery("SELECT max(id) FROM orders")) {
                    r.next();
                    assertEquals(501, r.getLong(1));
                }
                assertThrows(java.sql.SQLException.class, () -> s.execute("INSERT INTO orders (customer_id, total) VALUES (99, 1)"));
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM big_customers")) {
                    r.next();
                    assertEquals(5, r.getInt(1));
                }
            }
        }
    }

    @Test
    void aDamagedOrCutBackupIsDetectedAndLeavesTheTargetUntouched() throws Exception {
        String bucket = engines.bucketName("ArtifactsBucket");
        // a backup of its own, without the million rows: each damaged copy is read to its end
        BackupManifest small;
        try (ScratchDatabase db = TestPostgres.freshDatabase(); Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            s.execute("INSERT INTO notes SELECT g, repeat(md5(g::text), 40) FROM generate_series(1, 5000) g"); // > 1 MiB: several segments
            small = engine.dump(c, APP, "01small" + System.nanoTime(), "postgres", () -> { });
        }
        BackupManifest manifest = small;
        byte[] good = engines.s3Client.getObjectAsBytes(r -> r.bucket(bucket).key(manifest.objectKey())).asByteArray();
        try {
            byte[] flipped = good.clone();
            flipped[flipped.length / 2] ^= 0x01;
            assertDetected(bucket, manifest, flipped);
            assertDetected(bucket, manifest, java.util.Arrays.copyOf(good, good.length - 100));
            try (ScratchDatabase target = TestPostgres.freshDatabase(); Connection c = target.connect()) {
                engines.s3Client.putObject(r -> r.bucket(bucket).key(manifest.objectKey()), RequestBody.fromBytes(good));
                assertEquals(List.of(), engine.verify(manifest, c), "the intact copy still verifies");
            }
        } finally {
            engines.s3Client.putObject(r -> r.bucket(bucket).key(manifest.objectKey()), RequestBody.fromBytes(good));
        }
    }

    private static void assertDetected(String bucket, BackupManifest manifest, byte[] damaged) throws Exception {
        engines.s3Client.putObject(r -> r.bucket(bucket).key(manifest.objectKey()), RequestBody.fromBytes(damaged));
        try (ScratchDatabase target = TestPostgres.freshDatabase(); Connection c = target.connect()) {
            IOException e = assertThrows(IOException.class, () -> engine.verify(manifest, c));
            assertTrue(e.getMessage().contains("damaged") || e.getMessage().contains("cut short"), e.getMessage());
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")) {
                r.next();
                assertEquals(0, r.getInt(1), "the failed restore rolled back whole");
            }
        }
        assertFalse(damaged.length == 0);
    }

    @Test
    void aSupabaseBackupKeepsTheAppsSchemasAndAuthUsersButNotThePlatforms() throws Exception {
        try (ScratchDatabase db = TestPostgres.freshDatabase(); Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA auth");
            s.execute("CREATE TABLE auth.users (id uuid PRIMARY KEY, email text)");
            s.execute("CREATE TABLE auth.sessions (id int)");
            s.execute("INSERT INTO auth.users VALUES ('00000000-0000-0000-0000-000000000001', 'owner@example.com')");
            s.execute("CREATE SCHEMA storage");
            s.execute("CREATE TABLE storage.objects (id int)");
            s.execute("CREATE TABLE public.todos (id int PRIMARY KEY, user_id uuid REFERENCES auth.users(id), title text)");
            s.execute("INSERT INTO todos VALUES (1, '00000000-0000-0000-0000-000000000001', 'ship it')");
            BackupManifest m = engine.dump(c, APP, "01supa" + System.nanoTime(), "supabase", () -> { });
            List<String> tables = m.tables().stream().map(t -> t.schema() + "." + t.name()).toList();
            assertEquals(List.of("auth.users", "public.todos"), tables);
            try (ScratchDatabase target = TestPostgres.freshDatabase(); Connection t = target.connect()) {
                assertEquals(List.of(), engine.verify(m, t), "auth.users restores into a plain Postgres, the foreign key with it");
            }
        }
    }
}
