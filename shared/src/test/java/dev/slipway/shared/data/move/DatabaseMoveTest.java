package dev.slipway.shared.data.move;

import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The move against real Postgres databases: copied and verified, a difference caught and rolled back, a full target refused. */
class DatabaseMoveTest {
    private static void fill(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    create table accounts (id bigserial primary key, email text unique not null, created timestamptz default now(),
                      balance numeric(10,2), settings jsonb, avatar bytea, aliases text[]);
                    insert into accounts (email, balance, settings, avatar, aliases)
                      select 'user' || i || '@example.com', i / 3.0, jsonb_build_object('dark', i % 2 = 0, 'name', 'Ünïcødé ' || i),
                             case when i % 5 = 0 then null else decode(md5(i::text), 'hex') end, array['a' || i, null]
                      from generate_series(1, 5000) i;
                    create schema billing;
                    create table billing.invoices (id int primary key, account bigint references accounts (id), amount numeric, due date);
                    insert into billing.invoices select i, 1 + i % 5000, i * 2.5, date '2025-01-01' + i from generate_series(1, 3000) i;
                    create view billing.open_invoices as select * from billing.invoices where due > date '2030-01-01';
                    """);
        }
    }

    @Test
    void aMultiTableDatabaseIsCopiedAndVerifiedAndTheSourceOnlyRead() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            fill(s);
            Map<String, TableChecksums.Table> before = TableChecksums.of(s, TableChecksums.appTables(s));
            DatabaseMove.Result r = new DatabaseMove().run(s, t, List.of(), new SchemaCopier());
            assertTrue(r.verified(), r.toString());
            assertEquals(List.of("\"billing\".\"invoices\"", "\"public\".\"accounts\""), r.tables().stream().map(DatabaseMove.TableCheck::table).toList());
            assertEquals(8000, r.rows());
            assertEquals(List.of(), r.findings());
            assertEquals(before, TableChecksums.of(t, TableChecksums.appTables(t)));
            assertEquals(before, TableChecksums.of(s, TableChecksums.appTables(s)), "the source is unchanged");
            try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                    "select count(*) from billing.open_invoices")) { // views, keys and sequences came along
                rs.next();
                assertTrue(rs.getLong(1) > 0);
            }
            try (Statement st = t.createStatement()) {
                st.execute("insert into accounts (email) values ('new@example.com')"); // the sequence continues past the copied ids
            }
        }
    }

    @Test
    void aCopyThatDiffersIsNotVerifiedAndTheTargetIsLeftEmpty() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            fill(s);
            // a copier that loses one row after copying (a fault injected into the real copier)
            DatabaseMove.Copier lossy = (src, dst, schemas) -> {
                DatabaseMove.Copied f = new SchemaCopier().copy(src, dst, schemas);
                try (Statement st = dst.createStatement()) {
                    st.execute("delete from billing.invoices where id = 42");
                }
                return f;
            };
            DatabaseMove.Result r = new DatabaseMove().run(s, t, List.of(), lossy);
            assertFalse(r.verified());
            DatabaseMove.TableCheck bad = r.tables().stream().filter(c -> !c.equal()).findFirst().orElseThrow();
            assertEquals("\"billing\".\"invoices\"", bad.table());
            assertEquals(3000, bad.sourceRows());
            assertEquals(2999L, bad.targetRows());
            assertEquals(List.of(), TableChecksums.appTables(t), "rolled back: the target is as empty as it was");
        }
    }

    @Test
    void aCopyThatLostAPolicyIsNotVerified() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            fill(s);
            try (Statement st = s.createStatement()) {
                st.execute("alter table billing.invoices enable row level security;"
                        + " create policy due_only on billing.invoices for select using (due > date '2025-02-01')");
            }
            DatabaseMove.Copier lossy = (src, dst, schemas) -> {
                DatabaseMove.Copied copied = new SchemaCopier().copy(src, dst, schemas);
                try (Statement st = dst.createStatement()) {
                    st.execute("drop policy due_only on billing.invoices"); // rows equal, security lost
                }
                return copied;
            };
            DatabaseMove.Result r = new DatabaseMove().run(s, t, List.of(), lossy);
            assertFalse(r.verified());
            assertTrue(r.tables().stream().allMatch(DatabaseMove.TableCheck::equal), r.toString());
            assertEquals(1, r.schemaDifferences().size(), r.schemaDifferences().toString());
            assertTrue(r.schemaDifferences().get(0).startsWith("policies: 1 in the source"), r.schemaDifferences().toString());
            assertEquals(List.of(), TableChecksums.appTables(t), "rolled back: the target is as empty as it was");
        }
    }

    @Test
    void aTargetWithTablesIsRefusedUntouched() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            fill(s);
            try (Statement st = t.createStatement()) {
                st.execute("create table precious (id int); insert into precious values (1)");
            }
            assertThrows(DatabaseMove.TargetNotEmpty.class, () -> new DatabaseMove().run(s, t, List.of(), new SchemaCopier()));
            assertEquals(List.of("\"public\".\"precious\""), TableChecksums.appTables(t));
        }
    }
}
