package dev.slipway.shared.data.migrate;

import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The migrator against a real Postgres: in order, once, checksums, all-or-nothing, the advisory lock. */
class MigratorTest {
    private ScratchDatabase db;
    private final Migrator migrator = new Migrator();

    @BeforeEach
    void database() throws Exception {
        db = TestPostgres.freshDatabase();
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    private static Migration m(String name, String sql) {
        return Migration.of(name, "supabase/migrations/" + name, sql.getBytes(StandardCharsets.UTF_8));
    }

    private static final Migration INIT = m("20240101000000_init.sql",
            "create table notes (id bigserial primary key, body text not null);\n"
                    + "create function note_count() returns bigint language sql as $$ select count(*) from notes; $$;");
    private static final Migration SEED = m("20240102000000_seed.sql", "insert into notes (body) values ('first'), ('zweite');");
    private static final Migration TAGS = m("20240103000000_tags.sql", "alter table notes add column tags text[] not null default '{}';");

    private Migrator.Outcome apply(List<Migration> ms, String deployment) throws SQLException {
        try (Connection c = db.connect()) {
            return migrator.apply(c, ms, deployment, Instant.now());
        }
    }

    private long query(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private boolean tableExists(String name) throws SQLException {
        return query("select count(*) from pg_tables where schemaname = 'public' and tablename = '" + name + "'") == 1;
    }

    private Map<String, String> history() throws SQLException {
        try (Connection c = db.connect()) {
            return migrator.applied(c);
        }
    }

    @Test
    void appliedInOrderOnceAndASecondDeployAppliesOnlyTheNewOne() throws Exception {
        Migrator.Outcome first = apply(List.of(INIT, SEED), "d1");
        assertEquals(List.of(INIT.name(), SEED.name()), first.applied());
        assertEquals(0, first.alreadyApplied());
        assertEquals(2, query("select note_count()")); // the seed ran after the table and function existed

        Migrator.Outcome again = apply(List.of(INIT, SEED), "d2");
        assertEquals(List.of(), again.applied());
        assertEquals(2, again.alreadyApplied());
        assertEquals(2, query("select count(*) from notes")); // not seeded twice

        Migrator.Outcome next = apply(List.of(INIT, SEED, TAGS), "d3");
        assertEquals(List.of(TAGS.name()), next.applied());
        assertEquals(2, next.alreadyApplied());
        assertEquals(Map.of(INIT.name(), INIT.checksum(), SEED.name(), SEED.checksum(), TAGS.name(), TAGS.checksum()), history());
        try (Connection c = db.connect()) {
            assertEquals(List.of(INIT.name(), SEED.name()), migrator.appliedBy(c, "d1"));
            assertEquals(List.of(TAGS.name()), migrator.appliedBy(c, "d3"));
        }
    }

    @Test
    void aChangedAppliedMigrationIsRefusedNamingItAndNothingRuns() throws Exception {
        apply(List.of(INIT), "d1");
        Migration edited = m(INIT.name(), INIT.sql() + "\ncreate index notes_body on notes (body);");
        MigrationRefused e = assertThrows(MigrationRefused.class, () -> apply(List.of(edited, SEED), "d2"));
        assertEquals(MigrationRefused.Reason.CHANGED, e.reason());
        assertEquals(INIT.name(), e.migration());
        assertTrue(e.getMessage().contains("supabase/migrations/" + INIT.name()), e.getMessage());
        assertTrue(e.getMessage().contains(INIT.checksum().substring(0, 12)), e.getMessage());
        assertEquals(0, query("select count(*) from notes")); // the new SEED did not run either
        assertEquals(1, history().size());
    }

    @Test
    void aFailingMigrationRollsBackEveryMigrationOfTheDeploy() throws Exception {
        apply(List.of(INIT), "d1");
        Migration broken = m("20240104000000_broken.sql", "insert into notes (body) values ('kept?');\nalter table no_such_table add column x int;");
        MigrationRefused e = assertThrows(MigrationRefused.class, () -> apply(List.of(INIT, SEED, TAGS, broken), "d2"));
        assertEquals(MigrationRefused.Reason.FAILED, e.reason());
        assertEquals(broken.name(), e.migration());
        assertTrue(e.getMessage().contains("no_such_table") && e.getMessage().contains("rolled back"), e.getMessage());
        // SEED and TAGS ran before it in the same transaction: gone with it
        assertEquals(0, query("select count(*) from notes"));
        assertEquals(0, query("select count(*) from information_schema.columns where table_name = 'notes' and column_name = 'tags'"));
        assertEquals(Map.of(INIT.name(), INIT.checksum()), history());
        // fixed, the next deploy applies all three
        Migration fixed = m(broken.name(), "insert into notes (body) values ('fixed');");
        assertEquals(List.of(SEED.name(), TAGS.name(), fixed.name()), apply(List.of(INIT, SEED, TAGS, fixed), "d3").applied());
        assertEquals(3, query("select count(*) from notes"));
    }

    @Test
    void aNewMigrationSortingBeforeTheLastAppliedIsRefused() throws Exception {
        apply(List.of(INIT, TAGS), "d1");
        MigrationRefused e = assertThrows(MigrationRefused.class, () -> apply(List.of(INIT, SEED, TAGS), "d2"));
        assertEquals(MigrationRefused.Reason.OUT_OF_ORDER, e.reason());
        assertEquals(SEED.name(), e.migration());
        assertEquals(0, query("select count(*) from notes"));
    }

    @Test
    void statementsThatCannotRunInATransactionNeedTheMarkAndRunAlone() throws Exception {
        apply(List.of(INIT), "d1");
        Migration concurrently = m("20240105000000_index.sql", "create index concurrently notes_body on notes (body);");
        MigrationRefused e = assertThrows(MigrationRefused.class, () -> apply(List.of(INIT, SEED, concurrently), "d2"));
        assertTrue(e.getMessage().contains(Migration.NO_TRANSACTION), e.getMessage());
        assertEquals(0, query("select count(*) from notes"));

        Migration marked = m(concurrently.name(), Migration.NO_TRANSACTION + "\n" + concurrently.sql());
        assertFalse(marked.transactional());
        assertEquals(List.of(SEED.name(), marked.name()), apply(List.of(INIT, SEED, marked), "d3").applied());
        assertEquals(1, query("select count(*) from pg_indexes where indexname = 'notes_body'"));
        assertEquals(2, query("select count(*) from notes"));
    }

    @Test
    void aDatabaseTheBuildersToolMigratedIsTakenOverNotMigratedAgain() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            // as `supabase db push` leaves it: the schema, and the versions it applied in its own history
            s.execute(INIT.sql());
            s.execute("create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key, name text);"
                    + " insert into supabase_migrations.schema_migrations values ('20240101000000', 'init');");
        }
        Migrator.Outcome first;
        try (Connection c = db.connect()) {
            first = migrator.apply(c, "supabase", List.of(INIT, SEED), "d1", Instant.now());
        }
        assertEquals(List.of(SEED.name()), first.applied());
        assertEquals(1, first.baselined());
        assertEquals(2, query("select count(*) from notes"));
        assertEquals(Map.of(INIT.name(), INIT.checksum(), SEED.name(), SEED.checksum()), history());
        // from then on Slipway's history decides: the tool's is read only while Slipway's is empty
        try (Connection c = db.connect()) {
            assertEquals(0, migrator.apply(c, "supabase", List.of(INIT, SEED, TAGS), "d2", Instant.now()).baselined());
        }
    }

    @Test
    void drizzlesOwnHistoryIsMatchedByTheFilesHash() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(INIT.sql());
            s.execute("create schema drizzle; create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);"
                    + " insert into drizzle.__drizzle_migrations (hash, created_at) values ('" + INIT.checksum() + "', 1704067200000);");
            Migrator.Outcome out = migrator.apply(c, "drizzle", List.of(INIT, SEED), "d1", Instant.now());
            assertEquals(List.of(SEED.name()), out.applied());
            assertEquals(1, out.baselined());
        }
    }

    @Test
    void concurrentDeploysNeverBothApply() throws Exception {
        Migration slow = m("20240101000000_slow.sql", "select pg_sleep(0.3);\ncreate table counted (id int);\ninsert into counted values (1);");
        Migration more = m("20240102000000_more.sql", "insert into counted values (2);");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Migrator.Outcome>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String deployment = "d" + i;
                runs.add(pool.submit((Callable<Migrator.Outcome>) () -> apply(List.of(slow, more), deployment)));
            }
            int applied = 0;
            for (Future<Migrator.Outcome> r : runs) {
                applied += r.get().applied().size();
            }
            assertEquals(2, applied); // each migration once, by whichever deploy got the lock first
            assertEquals(2, query("select count(*) from counted"));
        } finally {
            pool.shutdownNow();
        }
    }
}
