package dev.slipway.shared.data;

import dev.slipway.shared.data.postgres.LocalPostgres;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.ScratchDatabase;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * One real Postgres shared by all tests of a JVM (shared's and, through the test jar, local's), started
 * on first use and stopped when the JVM ends; each test takes a fresh database of its own.
 */
public final class TestPostgres {
    private static LocalPostgres instance;

    private TestPostgres() {
    }

    public static synchronized LocalPostgres get() throws IOException {
        if (instance == null) {
            Path dir = Files.createTempDirectory("slipway-test-postgres-");
            LocalPostgres pg = LocalPostgres.start(dir.resolve("data"), freePort(), false);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is ending
                }
            }));
            instance = pg;
        }
        return instance;
    }

    public static PostgresServer server() throws IOException {
        return get().server();
    }

    /** A new empty database; close it (try-with-resources) to drop it. */
    public static ScratchDatabase freshDatabase() throws IOException, SQLException {
        return server().createDatabase("test");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
