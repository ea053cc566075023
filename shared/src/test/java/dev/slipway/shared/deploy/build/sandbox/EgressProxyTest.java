package dev.slipway.shared.deploy.build.sandbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The egress proxy's policy over its real Unix socket, with a loopback server standing in for a registry: a
 * loopback destination is refused unless it is the registry the machine configured, and the tunnel carries
 * bytes both ways. Names resolve through an injected table, so no DNS is needed.
 */
class EgressProxyTest {
    @Test
    void loopbackIsRefusedUnlessItIsTheConfiguredRegistry() throws Exception {
        try (ServerSocket registry = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket s = registry.accept()) {
                    s.getOutputStream().write(s.getInputStream().readNBytes(4));
                } catch (IOException ignored) {
                    // the test ended
                }
            });
            echo.setDaemon(true);
            echo.start();
            int port = registry.getLocalPort();
            InetAddress[] loopback = {InetAddress.getLoopbackAddress()};
            try (EgressProxy open = EgressProxy.start(List.of("http://npm.internal.example:" + port + "/"), h -> loopback);
                 EgressProxy closed = EgressProxy.start(List.of(), h -> loopback)) {
                assertTrue(connect(closed, "npm.internal.example:" + port, null).startsWith("HTTP/1.1 403"));
                assertTrue(closed.summary().get(0).startsWith("network: refused npm.internal.example:" + port + ": loopback address"),
                        closed.summary().toString());
                assertEquals("HTTP/1.1 200 Connection Established|ping", connect(open, "npm.internal.example:" + port, "ping"));
                assertEquals(List.of("network: reached npm.internal.example:" + port + " (1)"), open.summary());
                assertTrue(connect(open, "other.example:" + port, null).startsWith("HTTP/1.1 403"), "only the registry's host:port");
            }
        }
    }

    /**
     * A server's proxy tunnels exactly its values' database endpoints (any port) and the runtime's Postgres, which it
     * reaches from the tunnel source address; the bridge's {@code --tunnel} listens, CONNECTs and pipes raw bytes, and a
     * tunnel the proxy refuses ends with the reason in the server's log (stderr). Node runs the bridge unsandboxed here
     * (its egress port 0: any free one), on addresses of the host's 127.0.0.0/8.
     */
    @Test
    void aServersTunnelsReachExactlyItsDatabaseEndpointsThroughTheBridge() throws Exception {
        try (ServerSocket database = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            int port = database.getLocalPort();
            java.util.concurrent.CompletableFuture<String> from = new java.util.concurrent.CompletableFuture<>();
            Thread echo = new Thread(() -> {
                try (Socket s = database.accept()) {
                    from.complete(s.getInetAddress().getHostAddress());
                    s.getOutputStream().write(s.getInputStream().readNBytes(4));
                } catch (IOException ignored) {
                    // the test ended
                }
            });
            echo.setDaemon(true);
            echo.start();
            InetAddress[] loopback = {InetAddress.getLoopbackAddress()};
            DatabaseTunnels tunnels = DatabaseTunnels.of(java.util.Map.of(
                    "DATABASE_URL", "postgres://app:pw@127.0.0.1:" + port + "/db",
                    "DIRECT_URL", "postgres://app:pw@db.internal.example:6543/db"), new InetSocketAddress("127.0.0.1", port), Set.of());
            try (EgressProxy proxy = EgressProxy.start(List.of(), h -> loopback, tunnels, new InetSocketAddress("127.0.0.1", port),
                    InetAddress.getByName("127.0.0.2"))) {
                assertTrue(connect(proxy, "db.internal.example:6543", null).startsWith("HTTP/1.1 403"), "a named endpoint: public addresses only");
                assertTrue(proxy.summary().toString().contains("db.internal.example:6543: loopback address"), proxy.summary().toString());
                assertTrue(connect(proxy, "db.internal.example:5432", null).startsWith("HTTP/1.1 403"), "not in its values");
                assertTrue(proxy.summary().toString().contains("db.internal.example:5432: loopback address"), proxy.summary().toString());
                assertTrue(connect(proxy, "127.0.0.1:" + (port == 65535 ? 1 : port + 1), null).startsWith("HTTP/1.1 403"));

                // the bridge, in front of the proxy: one tunnel the proxy allows, one it refuses
                String script = """
                        const net = require('net');
                        const s = net.connect(%d, '127.0.0.3', () => s.write('ping'));
                        s.on('data', (d) => {
                          console.log('echo:' + d);
                          s.end();
                          const r = net.connect(%d, '127.0.0.3', () => r.write('x'));
                          r.on('close', () => console.log('refused tunnel closed'));
                          r.on('error', () => {});
                        });
                        """.formatted(port, port == 65535 ? 1 : port + 1);
                Process node = new ProcessBuilder("node", proxy.bridgeDir().resolve(EgressProxy.BRIDGE).toString(), "0",
                        proxy.bridgeDir().resolve(EgressProxy.SOCKET).toString(),
                        "--tunnel", "127.0.0.3:" + port + "=127.0.0.1:" + port,
                        "--tunnel", "127.0.0.3:" + (port == 65535 ? 1 : port + 1) + "=db.internal.example:5432",
                        "node", "-e", script).redirectErrorStream(true).start();
                assertTrue(node.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the bridge's command ends");
                String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, node.exitValue(), out);
                assertTrue(out.contains("echo:ping"), out);
                assertTrue(out.contains("refused tunnel closed"), out);
                assertTrue(out.contains("slipway sandbox: database tunnel to db.internal.example:5432 refused:"), out);
                assertEquals("127.0.0.2", from.get(5, java.util.concurrent.TimeUnit.SECONDS), "the runtime's Postgres sees the tunnel source");
            }
        }
    }

    /** CONNECT through the proxy's socket; with {@code payload}, sends it through the tunnel and appends the echo. */
    private static String connect(EgressProxy proxy, String target, String payload) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(proxy.bridgeDir().resolve(EgressProxy.SOCKET)));
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = Channels.newInputStream(ch);
            out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            String status = head.toString().split("\r\n")[0];
            if (payload == null || !status.contains(" 200 ")) {
                return status;
            }
            out.write(payload.getBytes(StandardCharsets.US_ASCII));
            return status + "|" + new String(in.readNBytes(payload.length()), StandardCharsets.US_ASCII);
        }
    }
}
