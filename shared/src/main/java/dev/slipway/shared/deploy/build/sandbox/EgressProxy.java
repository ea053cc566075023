package dev.slipway.shared.deploy.build.sandbox;

import dev.slipway.shared.net.PublicAddress;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A sandboxed build's only way out: an HTTP proxy on a Unix socket (bound into the sandbox, relayed to
 * {@code 127.0.0.1:3128} there by {@code egress-bridge.cjs}). It tunnels {@code CONNECT host:443} and forwards
 * plain {@code http://} requests to public addresses on ports 80 and 443 — package registries, the binaries
 * some packages fetch while installing, fonts — and to the configured registries (which may be private, e.g.
 * a company registry). It refuses loopback (Slipway's own API, edge, S3 and DynamoDB ports), private and
 * link-local addresses (the host's network, the cloud metadata service) and every other port, resolving each
 * name once and connecting to the address it checked (no DNS rebinding). What a build reached and what was
 * refused is summed up in its log.
 * <p>
 * An app server's proxy ({@link #forServer}) also tunnels {@code CONNECT host:port} to exactly the database endpoints
 * its own values name ({@link DatabaseTunnels}), on any port, still to public addresses only; and to the runtime's own
 * Postgres on loopback, connecting from a source address that Postgres makes authenticate with a password, so no
 * tunnel logs in as its passwordless superuser.
 */
public final class EgressProxy implements Closeable {
    static final String SOCKET = "egress.sock";
    static final String BRIDGE = "egress-bridge.cjs";
    static final String HOSTS = "hosts";
    private static final int MAX_HEAD = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 15_000;
    private static final Set<Integer> PUBLIC_PORTS = Set.of(80, 443);

    private final Path dir;
    private final ServerSocketChannel server;
    private final Set<String> registries;
    private final Function<String, InetAddress[]> resolver;
    /** Database endpoints (host:port) allowed on any port, public addresses only. */
    private final Set<String> tunnels;
    /** The runtime's own Postgres (loopback, host:port as CONNECTed), or null; reached from {@link #localDatabaseSource}. */
    private final InetSocketAddress localDatabase;
    private final InetAddress localDatabaseSource;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "build-egress");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicInteger> reached = new TreeMap<>();
    private final Map<String, String> refused = new TreeMap<>();
    private final List<Socket> open = new ArrayList<>();
    private volatile boolean closed;

    private EgressProxy(Path dir, ServerSocketChannel server, Set<String> registries, Function<String, InetAddress[]> resolver,
                        Set<String> tunnels, InetSocketAddress localDatabase, InetAddress localDatabaseSource) {
        this.tunnels = tunnels;
        this.localDatabase = localDatabase;
        this.localDatabaseSource = localDatabaseSource;
        this.dir = dir;
        this.server = server;
        this.registries = registries;
        this.resolver = resolver;
    }

    /**
     * Starts a proxy for one build in a fresh short-named temp folder (Unix socket paths are limited to ~100
     * bytes). {@code registries}: URLs whose host:port is allowed even when private.
     */
    public static EgressProxy start(List<String> registries) throws IOException {
        return start(registries, EgressProxy::resolve);
    }

    static EgressProxy start(List<String> registries, Function<String, InetAddress[]> resolver) throws IOException {
        return start(registries, resolver, DatabaseTunnels.NONE, null, null);
    }

    /**
     * An app server's own proxy: public HTTP(S) as a build's, plus the server's database tunnels. {@code localDatabase}:
     * the runtime's Postgres, reached only when a tunnel names it, from {@code localDatabaseSource} (an address its
     * pg_hba.conf makes authenticate with a password); null when there is none. The sandbox's /etc/hosts for the
     * tunnels is written next to the socket ({@value #HOSTS}).
     */
    public static EgressProxy forServer(DatabaseTunnels tunnels, InetSocketAddress localDatabase, InetAddress localDatabaseSource)
            throws IOException {
        return start(List.of(), EgressProxy::resolve, tunnels, localDatabase, localDatabaseSource);
    }

    static EgressProxy start(List<String> registries, Function<String, InetAddress[]> resolver, DatabaseTunnels tunnels,
                             InetSocketAddress localDatabase, InetAddress localDatabaseSource) throws IOException {
        Path dir = Files.createTempDirectory("slipway-egress");
        try (InputStream bridge = EgressProxy.class.getResourceAsStream(BRIDGE)) {
            if (bridge == null) {
                throw new IOException(BRIDGE + " is missing from the classpath");
            }
            Files.copy(bridge, dir.resolve(BRIDGE));
        }
        Files.writeString(dir.resolve(HOSTS), tunnels.hostsFile());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(SOCKET)));
        Set<String> allowed = new HashSet<>();
        for (String r : registries) {
            hostPort(r).ifPresent(allowed::add);
        }
        EgressProxy proxy = new EgressProxy(dir, server, Set.copyOf(allowed), resolver, tunnels.endpoints(),
                localDatabase, localDatabaseSource);
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    private static Optional<String> hostPort(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getHost() == null) {
                return Optional.empty();
            }
            int port = u.getPort() > 0 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
            return Optional.of(u.getHost().toLowerCase(Locale.ROOT) + ":" + port);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The folder bound into the sandbox: the socket and the relay script. */
    public Path bridgeDir() {
        return dir;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    refused.putIfAbsent("(proxy)", "accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            // not Channels.newInputStream/newOutputStream: on a blocking channel both take its blocking lock, so
            // a tunnel's reader would stall its writer
            InputStream in = new ChannelIn(channel);
            OutputStream out = new ChannelOut(channel);
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String requestLine = head.substring(0, head.indexOf("\r\n"));
            String[] parts = requestLine.split(" ");
            if (parts.length != 3) {
                answer(out, 400, "bad request line");
                return;
            }
            boolean connect = parts[0].equals("CONNECT");
            String host;
            int port;
            String forwardHead = null;
            if (connect) {
                int colon = parts[1].lastIndexOf(':');
                if (colon <= 0) {
                    answer(out, 400, "CONNECT needs host:port");
                    return;
                }
                host = unbracket(parts[1].substring(0, colon));
                port = parsePort(parts[1].substring(colon + 1));
            } else {
                URI target;
                try {
                    target = URI.create(parts[1]);
                } catch (IllegalArgumentException e) {
                    answer(out, 400, "bad request target");
                    return;
                }
                if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
                    answer(out, 400, "only CONNECT and absolute http:// requests go through this proxy");
                    return;
                }
                host = unbracket(target.getHost());
                port = target.getPort() > 0 ? target.getPort() : 80;
                String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
                if (target.getRawQuery() != null) {
                    path += "?" + target.getRawQuery();
                }
                forwardHead = originForm(head, parts[0] + " " + path + " " + parts[2]);
            }
            String destination = host.toLowerCase(Locale.ROOT) + ":" + port;
            Target address;
            try {
                address = choose(host, port);
            } catch (Refusal r) {
                synchronized (this) {
                    refused.put(destination, r.getMessage());
                }
                answer(out, 403, "slipway sandbox: " + destination + " refused: " + r.getMessage());
                return;
            }
            try (Socket upstream = new Socket()) {
                if (address.source() != null) {
                    upstream.bind(new InetSocketAddress(address.source(), 0));
                }
                upstream.connect(new InetSocketAddress(address.address(), port), CONNECT_TIMEOUT_MILLIS);
                synchronized (this) {
                    reached.computeIfAbsent(destination, k -> new AtomicInteger()).incrementAndGet();
                    open.add(upstream);
                }
                if (connect) {
                    out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else {
                    upstream.getOutputStream().write(forwardHead.getBytes(StandardCharsets.ISO_8859_1));
                }
                relay(in, out, upstream);
            } catch (IOException e) {
                answer(out, 502, "slipway sandbox: " + destination + " unreachable: " + e.getMessage());
            }
        } catch (IOException | RuntimeException ignored) {
            // the build closed its side: nothing to clean up beyond the sockets
        }
    }

    private void relay(InputStream clientIn, OutputStream clientOut, Socket upstream) throws IOException {
        InputStream upIn = upstream.getInputStream();
        OutputStream upOut = upstream.getOutputStream();
        var toUpstream = threads.submit(() -> {
            try {
                clientIn.transferTo(upOut);
                upstream.shutdownOutput();
            } catch (IOException ignored) {
                // either side closed
            }
            return null;
        });
        try {
            upIn.transferTo(clientOut);
        } catch (IOException ignored) {
            // either side closed
        } finally {
            toUpstream.cancel(true);
            upstream.close();
            synchronized (this) {
                open.remove(upstream);
            }
        }
    }

    /** Where to connect, and from which local address (null: any). */
    private record Target(InetAddress address, InetAddress source) {
    }

    /** Resolves {@code host} and picks an address the build may reach; a refusal says why. */
    private Target choose(String host, int port) throws Refusal {
        String destination = host.toLowerCase(Locale.ROOT) + ":" + port;
        if (localDatabase != null && tunnels.contains(destination)
                && destination.equals(localDatabase.getHostString() + ":" + localDatabase.getPort())) {
            return new Target(localDatabase.getAddress(), localDatabaseSource);
        }
        boolean registry = registries.contains(destination);
        boolean tunnel = tunnels.contains(destination);
        InetAddress[] addresses = resolver.apply(host);
        if (addresses == null || addresses.length == 0) {
            throw new Refusal("unknown host");
        }
        InetAddress chosen = null;
        for (InetAddress a : addresses) {
            if (registry || PublicAddress.isPublic(a)) {
                chosen = a;
                break;
            }
        }
        if (chosen == null) {
            InetAddress a = addresses[0];
            throw new Refusal((a.isLoopbackAddress() ? "loopback address " : "not a public address: ") + a.getHostAddress());
        }
        if (!registry && !tunnel && !PUBLIC_PORTS.contains(port)) {
            throw new Refusal("port " + port + (tunnels.isEmpty() ? " (builds reach ports 80 and 443 only)"
                    : " (ports 80 and 443 only, and the database endpoints the server's own values name)"));
        }
        return new Target(chosen, null);
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    /** Destinations reached (with connection counts) and refused (with the reason), for the build log. */
    public synchronized List<String> summary() {
        List<String> lines = new ArrayList<>();
        if (!reached.isEmpty()) {
            StringBuilder sb = new StringBuilder("network: reached ");
            reached.forEach((d, n) -> sb.append(d).append(" (").append(n.get()).append("), "));
            lines.add(sb.substring(0, sb.length() - 2));
        }
        refused.forEach((d, why) -> lines.add("network: refused " + d + ": " + why));
        return lines;
    }

    /** Forgets what was reached (the next phase reports its own). */
    public synchronized void resetSummary() {
        reached.clear();
        refused.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (this) {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        threads.shutdownNow();
        try {
            Files.deleteIfExists(dir.resolve(SOCKET));
            Files.deleteIfExists(dir.resolve(BRIDGE));
            Files.deleteIfExists(dir.resolve(HOSTS));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp folder left behind holds nothing secret
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (buf.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            buf.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The request head with an origin-form request line, without proxy headers, closing after one exchange. */
    private static String originForm(String head, String requestLine) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\n");
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String lower = lines[i].toLowerCase(Locale.ROOT);
            if (lines[i].isEmpty() || lower.startsWith("proxy-") || lower.startsWith("connection:")
                    || lower.startsWith("keep-alive:")) {
                continue;
            }
            sb.append(lines[i]).append("\r\n");
        }
        return sb.append("Connection: close\r\n\r\n").toString();
    }

    private static void answer(OutputStream out, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            default -> "Bad Gateway";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p > 0 && p < 65536 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final class ChannelIn extends InputStream {
        private final SocketChannel channel;

        ChannelIn(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
        }
    }

    private static final class ChannelOut extends OutputStream {
        private final SocketChannel channel;

        ChannelOut(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    private static final class Refusal extends Exception {
        Refusal(String message) {
            super(message, null, false, false);
        }
    }
}
