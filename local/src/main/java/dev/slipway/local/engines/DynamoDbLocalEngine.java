package dev.slipway.local.engines;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DynamoDB Local in this JVM, over HTTP on loopback so the same SDK clients the Lambda functions
 * build can reach it. Persistent with a folder (one shared database file), in memory without.
 */
public final class DynamoDbLocalEngine implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final int port;

    private DynamoDbLocalEngine(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** @param dataDir folder for the database file, or null for in-memory; port 0 picks one */
    public static DynamoDbLocalEngine start(Path dataDir, int port) throws Exception {
        int p = port == 0 ? FreePort.pick() : port;
        String[] args;
        if (dataDir == null) {
            args = new String[]{"-inMemory", "-port", Integer.toString(p), "-disableTelemetry"};
        } else {
            Files.createDirectories(dataDir);
            // -sharedDb: one file whatever region or key a client uses.
            args = new String[]{"-dbPath", dataDir.toString(), "-sharedDb", "-port", Integer.toString(p), "-disableTelemetry"};
        }
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args);
        server.start();
        return new DynamoDbLocalEngine(server, p);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
