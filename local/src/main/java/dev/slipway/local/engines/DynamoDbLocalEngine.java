package dev.slipway.local.engines;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        if (port != 0) {
            return startOn(dataDir, port);
        }
        // DynamoDB Local cannot bind port 0: a free port is picked first, and another server
        // starting at the same moment (S3Proxy, the edge) may take it in between. Pick again then.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOn(dataDir, FreePort.pick());
            } catch (IOException e) {
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("Failed to bind")) {
                    throw e;
                }
            }
        }
    }

    private static DynamoDbLocalEngine startOn(Path dataDir, int p) throws Exception {
        String[] args;
        if (dataDir == null) {
            args = new String[]{"-inMemory", "-port", Integer.toString(p), "-disableTelemetry"};
        } else {
            Files.createDirectories(dataDir);
            // -sharedDb: one file whatever region or key a client uses.
            args = new String[]{"-dbPath", dataDir.toString(), "-sharedDb", "-port", Integer.toString(p), "-disableTelemetry"};
        }
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args);
        bindToLoopback(server);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it never ran
            }
            throw e;
        }
        return new DynamoDbLocalEngine(server, p);
    }

    /**
     * DynamoDB Local has no host option and listens on every interface; a laptop's database must
     * not be reachable from the café's Wi-Fi. Its Jetty connectors are set to loopback before start.
     */
    private static void bindToLoopback(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server jetty = (Server) f.get(proxy);
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.setHost("127.0.0.1");
            }
        }
    }

    /** The addresses the engine listens on, as host:port. */
    public List<String> listeningOn() throws ReflectiveOperationException {
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        List<String> out = new ArrayList<>();
        for (Connector c : ((Server) f.get(server)).getConnectors()) {
            if (c instanceof ServerConnector sc) {
                out.add(sc.getHost() + ":" + sc.getLocalPort());
            }
        }
        return out;
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
