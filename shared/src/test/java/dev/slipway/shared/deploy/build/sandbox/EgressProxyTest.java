package dev.slipway.shared.deploy.build.sandbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
