package dev.slipway.shared.data.copy;

import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.migrate.Migration;
import dev.slipway.shared.data.migrate.MigrationFiles;
import dev.slipway.shared.data.migrate.Migrator;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Supabase-shaped migrations (auth.users with a trigger, policies with auth.uid(), a storage bucket and its policy, the
 * realtime publication, an extension in the extensions schema) apply to plain Postgres over the stand-in, and behave:
 * the trigger fills profiles, RLS hides other users' rows for the authenticated role.
 */
class SupabaseStandInTest {
    static final Path APP = Path.of("src/test/resources/fixtures/supabase-app");

    static Map<String, byte[]> files() throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(APP)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                files.put(APP.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    void builderMigrationsApplyToPlainPostgresOverTheStandInAndTheirPoliciesHold() throws Exception {
        MigrationFiles.Found found = MigrationFiles.find(files());
        assertEquals("supabase", found.kind());
        try (ScratchDatabase db = TestPostgres.freshDatabase(); Connection c = db.connect()) {
            // without the stand-in the first migration fails on auth.users
            assertTrue(SupabaseStandIn.needed(c));
            Exception without = assertThrows(Exception.class,
                    () -> new Migrator().apply(c, found.kind(), found.migrations(), "d-0", Instant.now()));
            assertTrue(without.getMessage().contains("auth") || without.getMessage().contains("extensions"), without.getMessage());

            c.setAutoCommit(false);
            List<String> made = SupabaseStandIn.install(c);
            c.commit();
            c.setAutoCommit(true);
            assertTrue(made.stream().anyMatch(m -> m.startsWith("auth.users")), made.toString());
            assertFalse(SupabaseStandIn.needed(c));
            Migrator.Outcome o = new Migrator().apply(c, found.kind(), found.migrations(), "d-1", Instant.now());
            assertEquals(3, o.applied().size(), o.toString());
            Migration seed = MigrationFiles.seed(files()).orElseThrow();
            try (Statement s = c.createStatement()) {
                s.execute(seed.sql());
            }

            // a second install changes nothing (idempotent, and leaves what exists alone)
            c.setAutoCommit(false);
            assertEquals(List.of(), SupabaseStandIn.install(c));
            c.commit();
            c.setAutoCommit(true);

            try (Statement s = c.createStatement()) {
                assertEquals("Ada", one(s, "SELECT display_name FROM profiles WHERE user_id = '00000000-0000-4000-8000-000000000001'"));
                assertEquals("bob@example.com", one(s, "SELECT display_name FROM profiles WHERE user_id = '00000000-0000-4000-8000-000000000002'"));
                assertEquals("messages", one(s, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'"));
                assertEquals("{a,b}", one(s, "SELECT storage.foldername('a/b/c.png')::text"));
                assertEquals("png", one(s, "SELECT storage.extension('a/b/c.png')"));

                // as Ada, signed in: her profile only; posting as someone else is refused by the policy
                c.setAutoCommit(false);
                s.execute("SET LOCAL ROLE authenticated");
                s.execute("SELECT set_config('request.jwt.claims', '{\"sub\":\"00000000-0000-4000-8000-000000000001\",\"role\":\"authenticated\"}', true)");
                assertEquals("1", one(s, "SELECT count(*) FROM profiles"));
                assertEquals("Ada", one(s, "SELECT display_name FROM profiles"));
                assertEquals("00000000-0000-4000-8000-000000000001", one(s, "SELECT auth.uid()::text"));
                s.execute("INSERT INTO messages (author, body) VALUES (auth.uid(), 'mine')");
                SQLException rls = assertThrows(SQLException.class,
                        () -> s.execute("INSERT INTO messages (author, body) VALUES ('00000000-0000-4000-8000-000000000002', 'not mine')"));
                assertTrue(rls.getMessage().contains("row-level security"), rls.getMessage());
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            assertTrue(r.next(), sql);
            return r.getString(1);
        }
    }
}
