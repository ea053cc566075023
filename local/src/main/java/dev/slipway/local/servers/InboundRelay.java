package dev.slipway.local.servers;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host's side of a sandboxed app server's way in: a port on the loopback whose connections are relayed to
 * the Unix socket the server's sandbox listens on. The edge's proxy speaks plain HTTP to this port, as it would to
 * an unsandboxed server, while the server itself has no route to the host's loopback.
 */
final class InboundRelay implements Closeable {
    private final ServerSocket server;
    private final Path socket;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "app-server-relay");
        t.setDaemon(true);
        return t;
    });

    private InboundRelay(ServerSocket server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    static InboundRelay start(Path socket) throws IOException {
        InboundRelay relay = new InboundRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), socket);
        relay.threads.execute(relay::acceptLoop);
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            threads.execute(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        SocketChannel upstream;
        try {
            client.setTcpNoDelay(true);
            upstream = SocketChannel.open(StandardProtocolFamily.UNIX);
            upstream.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        open.add(client);
        open.add(upstream);
        AtomicInteger directions = new AtomicInteger(2);
        Runnable done = () -> {
            if (directions.decrementAndGet() == 0) {
                open.remove(client);
                open.remove(upstream);
                closeQuietly(client);
                closeQuietly(upstream);
            }
        };
        threads.execute(() -> {
            try {
                OutputStream out = client.getOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
                while (upstream.read(buffer) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                    out.flush();
                    buffer.clear();
                }
                client.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
            } finally {
                done.run();
            }
        });
        try {
            // the channel itself, not Channels' streams: those lock the channel while a read blocks, so the
            // other direction could never write
            InputStream in = client.getInputStream();
            byte[] bytes = new byte[16 * 1024];
            for (int n; (n = in.read(bytes)) >= 0; ) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, n);
                while (buffer.hasRemaining()) {
                    upstream.write(buffer);
                }
            }
            upstream.shutdownOutput(); // the request's end reaches the server (bodies without a length)
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
        } finally {
            done.run();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(InboundRelay::closeQuietly);
        threads.shutdownNow();
    }
}
