package dev.slipway.shared.data.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** A database made for one job (a verify restore, a preview, a test); {@link #close()} drops it. */
public record ScratchDatabase(PostgresServer server, String name) implements AutoCloseable {
    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /** Its {@code postgres://} URL, with the server's credentials: for tests and the local runtime only. */
    public String url() {
        return server.url(name);
    }

    @Override
    public void close() throws SQLException {
        server.dropDatabase(name);
    }
}
