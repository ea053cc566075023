package dev.slipway.shared.data.migrate;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationFilesTest {
    private static Map<String, byte[]> files(String... pathsAndContents) {
        Map<String, byte[]> m = new TreeMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            m.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void supabaseMigrationsInNameOrderOnlyDirectChildren() {
        MigrationFiles.Found f = MigrationFiles.find(files(
                "supabase/migrations/20240301000000_b.sql", "select 2;",
                "supabase/migrations/20240101000000_a.sql", "select 1;",
                "supabase/migrations/old/20230101000000_x.sql", "select 0;",
                "supabase/seed.sql", "insert into t values (1);"));
        assertEquals("supabase", f.kind());
        assertEquals(List.of("20240101000000_a.sql", "20240301000000_b.sql"), f.migrations().stream().map(Migration::name).toList());
        assertEquals("supabase/migrations/20240101000000_a.sql", f.migrations().get(0).path());
        assertTrue(MigrationFiles.seed(files("supabase/seed.sql", "x")).isPresent());
    }

    @Test
    void prismaFoldersAndDrizzleOutFolder() {
        MigrationFiles.Found prisma = MigrationFiles.find(files(
                "prisma/migrations/20240102_add/migration.sql", "alter table a add b int;",
                "prisma/migrations/20240101_init/migration.sql", "create table a (id int);"));
        assertEquals("prisma", prisma.kind());
        assertEquals(List.of("20240101_init", "20240102_add"), prisma.migrations().stream().map(Migration::name).toList());

        MigrationFiles.Found drizzle = MigrationFiles.find(files(
                "drizzle.config.ts", "export default defineConfig({ schema: './shared/schema.ts', out: './migrations', dialect: 'postgresql' });",
                "migrations/0001_more.sql", "b",
                "migrations/0000_init.sql", "a",
                "drizzle/0000_ignored.sql", "c"));
        assertEquals("drizzle", drizzle.kind());
        assertEquals(List.of("0000_init.sql", "0001_more.sql"), drizzle.migrations().stream().map(Migration::name).toList());
        assertEquals("drizzle", MigrationFiles.find(files("drizzle/0000_init.sql", "a")).kind());
        // an out folder that climbs out of the repository is not followed
        assertEquals("drizzle", MigrationFiles.drizzleFolder(files("drizzle.config.js", "module.exports = { out: '../etc' }")));
    }

    @Test
    void oneKindAppliedTheOthersReported() {
        MigrationFiles.Found f = MigrationFiles.find(files(
                "supabase/migrations/1_a.sql", "a",
                "drizzle/0000_init.sql", "b"));
        assertEquals("supabase", f.kind());
        assertEquals(1, f.migrations().size());
        assertEquals(List.of("drizzle"), f.ignoredKinds());
        assertTrue(MigrationFiles.find(files("src/queries.sql", "select 1")).isEmpty());
    }

    @Test
    void checksumIsOfTheBytesAndTheNoTransactionMarkIsTheFirstLine() {
        Migration a = Migration.of("a", "a", "create table t (id int);".getBytes(StandardCharsets.UTF_8));
        Migration b = Migration.of("a", "a", "create table t (id int); ".getBytes(StandardCharsets.UTF_8));
        assertFalse(a.checksum().equals(b.checksum()));
        assertEquals(64, a.checksum().length());
        assertTrue(a.transactional());
        assertFalse(Migration.of("c", "c", "-- slipway:no-transaction\ncreate index concurrently i on t (id);".getBytes(StandardCharsets.UTF_8)).transactional());
    }
}
