package dev.slipway.local.engines;

import dev.slipway.shared.data.postgres.LocalPostgres;
import dev.slipway.shared.data.postgres.PostgresServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Postgres on demand for {@code slipway up}: nothing to install (embedded server binaries, see
 * {@link LocalPostgres}), files under the data folder, started on first need (most runs never
 * touch a database) and stopped cleanly with the runtime. It is the server where the data features
 * create and drop their own databases: scratch restores that verify backups, preview databases,
 * and the "builder-hosted" database of the tests.
 */
public final class PostgresEngine implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private LocalPostgres running;
    private boolean closed;

    private PostgresEngine(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir;
        this.port = port;
        this.durable = durable;
    }

    /** An engine whose server starts on the first {@link #server()}; its port is chosen now. */
    public static PostgresEngine onDemand(Path dataDir, boolean durable) {
        return new PostgresEngine(dataDir, FreePort.pick(), durable);
    }

    /** The server, started now if it is not running yet. */
    public synchronized PostgresServer server() {
        if (closed) {
            throw new IllegalStateException("the Postgres engine is stopped");
        }
        if (running == null) {
            try {
                running = LocalPostgres.start(dataDir, port, durable);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Postgres under " + dataDir + ": " + e.getMessage(), e);
            }
        }
        return running.server();
    }

    public synchronized boolean started() {
        return running != null;
    }

    /** Where it listens (also before it runs): the superuser's URL of the maintenance database, no password (trust, loopback only). */
    public URI endpoint() {
        return URI.create("postgres://" + LocalPostgres.SUPERUSER + "@127.0.0.1:" + port + "/postgres?sslmode=disable");
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
