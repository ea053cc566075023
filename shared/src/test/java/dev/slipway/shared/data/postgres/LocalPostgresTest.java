package dev.slipway.shared.data.postgres;

import dev.slipway.shared.data.TestPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalPostgresTest {
    @Test
    void freshDatabasesAreApartAndDroppedOnClose() throws Exception {
        String name;
        try (ScratchDatabase a = TestPostgres.freshDatabase(); ScratchDatabase b = TestPostgres.freshDatabase()) {
            name = a.name();
            try (Connection c = a.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x int)");
                s.execute("INSERT INTO t VALUES (1)");
            }
            try (Connection c = b.connect(); Statement s = c.createStatement()) {
                assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM t"), "b does not see a's table");
            }
            assertTrue(a.url().startsWith("postgres://slipway@127.0.0.1:"), a.url());
        }
        try (Connection c = TestPostgres.server().connect("postgres"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            r.next();
            assertEquals(0, r.getInt(1), "dropped on close");
        }
    }

    @Test
    void dropsOnlyItsOwnDatabases() {
        assertThrows(IllegalArgumentException.class, () -> TestPostgres.server().dropDatabase("postgres"));
        assertThrows(IllegalArgumentException.class, () -> TestPostgres.server().dropDatabase("slipway_x; DROP DATABASE y"));
    }

    @Test
    void reportsItsMajorVersion() throws Exception {
        int major = TestPostgres.get().majorVersion();
        assertFalse(major < 12, "major " + major);
    }
}
