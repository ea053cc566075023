package dev.slipway.local.engines;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresEngineTest {
    @TempDir
    Path data;

    @Test
    void startsOnFirstNeedAndKeepsItsDataAcrossRestarts() throws Exception {
        String db;
        try (PostgresEngine pg = PostgresEngine.onDemand(data.resolve("postgres"), true)) {
            assertFalse(pg.started(), "nothing runs before a function needs it");
            assertFalse(Files.exists(data.resolve("postgres")));
            assertTrue(pg.endpoint().toString().matches("postgres://slipway@127.0.0.1:\\d+/postgres\\?sslmode=disable"), pg.endpoint().toString());
            var scratch = pg.server().createDatabase("kept");
            db = scratch.name();
            try (Connection c = scratch.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE notes (body text)");
                s.execute("INSERT INTO notes VALUES ('survives a restart')");
            }
            assertTrue(pg.started());
        }
        try (PostgresEngine again = PostgresEngine.onDemand(data.resolve("postgres"), true);
             Connection c = again.server().connect(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT body FROM notes")) {
            assertTrue(r.next());
            assertEquals("survives a restart", r.getString(1));
            again.server().dropDatabase(db);
        }
    }
}
