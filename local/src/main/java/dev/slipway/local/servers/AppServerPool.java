package dev.slipway.local.servers;

import dev.slipway.shared.deploy.build.LogRedactor;
import dev.slipway.shared.deploy.build.sandbox.BuildSandbox;
import dev.slipway.shared.deploy.build.sandbox.Bubblewrap;
import dev.slipway.shared.deploy.build.sandbox.DatabaseTunnels;
import dev.slipway.shared.deploy.build.sandbox.EgressProxy;
import dev.slipway.shared.data.postgres.LocalPostgres;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerBundles;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.deploy.server.hosting.AppServers;
import dev.slipway.shared.deploy.server.hosting.AppServers.ServerCheckFailed;
import dev.slipway.shared.deploy.server.hosting.RuntimeVariables;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Lambda's part for app servers on a laptop: a Node process per release and scope, started on its first
 * request from the release's bundle (unpacked from the bucket once per release and scope, its SHA-256
 * checked), given {@code PORT} and the scope's server-side variables from the local encrypted store, run in
 * bubblewrap where the builds are, stopped when idle. Its output goes, redacted, to the release's log file.
 */
public final class AppServerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppServerPool.class);
    /** Lambda's 30 s: a server that does not listen (or answer its home page) by then fails its check. */
    public static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static final Duration NEGATIVE_BUNDLE_TTL = Duration.ofSeconds(2);
    private static final int LOG_TAIL_LINES = 30;

    private final S3Client s3;
    private final String bucket;
    private final Path root;
    private final AppEnvironment environment;
    private final BuildSandbox sandbox;
    private final Duration idleLimit;
    private final Duration startLimit;
    private final Map<NodeServer.Key, NodeServer> running = new ConcurrentHashMap<>();
    private final Map<NodeServer.Key, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, Bundle> bundles = new ConcurrentHashMap<>();
    private final Map<String, ServerLogFile> logs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    /** Lambda's port; each sandboxed server has a network namespace of its own. */
    private static final int SANDBOXED_PORT = 8080;
    /** The runtime's own Postgres (a sandboxed server's tunnel may name it), or null. */
    private final InetSocketAddress localDatabase;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    private record Bundle(Optional<ServerBundle> bundle, long checkedNanos) {
    }

    /**
     * @param root      where bundles are unpacked ({@code {app}/{release}/{scope}}) and logs kept ({@code logs/})
     * @param sandbox   the builds' sandbox: {@link Bubblewrap} runs servers in one too; otherwise they are plain processes
     * @param idleLimit a server with no request for this long is stopped (Lambda freezes and drops idle ones too)
     */
    public AppServerPool(S3Client s3, String bucket, Path root, AppEnvironment environment, BuildSandbox sandbox, Duration idleLimit) {
        this(s3, bucket, root, environment, sandbox, idleLimit, START_LIMIT);
    }

    /** @param startLimit how long a server may take to listen and answer its home page (tests shorten Lambda's 30 s) */
    public AppServerPool(S3Client s3, String bucket, Path root, AppEnvironment environment, BuildSandbox sandbox, Duration idleLimit,
                         Duration startLimit) {
        this(s3, bucket, root, environment, sandbox, idleLimit, startLimit, null);
    }

    /**
     * @param localDatabase the runtime's Postgres (127.0.0.1:port): a sandboxed server whose values name it reaches it
     *                      through its tunnel, authenticating with a password (LocalPostgres#TUNNEL_SOURCE); null: none
     */
    public AppServerPool(S3Client s3, String bucket, Path root, AppEnvironment environment, BuildSandbox sandbox, Duration idleLimit,
                         Duration startLimit, InetSocketAddress localDatabase) {
        this.localDatabase = localDatabase;
        this.startLimit = startLimit;
        this.s3 = s3;
        this.bucket = bucket;
        this.root = root.toAbsolutePath().normalize();
        this.environment = environment;
        this.sandbox = sandbox;
        this.idleLimit = idleLimit;
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "app-server-reaper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, Math.min(1000, idleLimit.toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::reap, every, every, TimeUnit.MILLISECONDS);
    }

    /** The release's server bundle, from its object's metadata (one HEAD per release; a release never changes). */
    public Optional<ServerBundle> bundle(String appId, String releaseId) {
        String key = ServerBundle.key(appId, releaseId);
        Bundle known = bundles.get(key);
        if (known != null && (known.bundle().isPresent() || System.nanoTime() - known.checkedNanos() < NEGATIVE_BUNDLE_TTL.toNanos())) {
            return known.bundle();
        }
        Optional<ServerBundle> found;
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            found = ServerBundles.fromMetadata(head.metadata(), head.contentLength());
        } catch (NoSuchKeyException e) {
            found = Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            found = Optional.empty();
        }
        bundles.put(key, new Bundle(found, System.nanoTime()));
        return found;
    }

    /** The running server for the key, started (and waited for) when there is none or the last one exited. */
    public NodeServer serverFor(NodeServer.Key key, ServerBundle bundle) throws ServerCheckFailed {
        NodeServer s = running.get(key);
        if (s != null && s.alive()) {
            s.touch();
            return s;
        }
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            s = running.get(key);
            if (s != null && s.alive()) {
                s.touch();
                return s;
            }
            if (s != null) {
                running.remove(key, s);
                log(key).append(key.label(), "[slipway] the server had exited with status " + s.exitStatus() + "; starting it again");
            }
            NodeServer started = start(key, bundle, System.nanoTime() + startLimit.toNanos());
            running.put(key, started);
            return started;
        }
    }

    /** Forgets a server whose request failed (it crashed): the next request starts a new one. */
    public void discard(NodeServer s) {
        if (running.remove(s.key(), s)) {
            String how = s.alive() ? "stopped: it did not answer" : "exited with status " + s.exitStatus();
            log(s.key()).append(s.key().label(), "[slipway] the server " + how + "; the next request starts it again");
            s.stop();
        }
    }

    /** Starts (or finds) the server and asks for its home page: a 2xx or 3xx within 30 s of the start, else the reason and log tail. */
    public void publish(NodeServer.Key key) throws ServerCheckFailed {
        long deadline = System.nanoTime() + startLimit.toNanos();
        ServerBundle bundle = bundle(key.appId(), key.releaseId())
                .orElseThrow(() -> new ServerCheckFailed("release " + key.releaseId() + " has no server bundle in the bucket", ""));
        NodeServer s;
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            s = running.get(key);
            if (s != null && s.alive() && !s.values().equals(fingerprint(key))) {
                // its values changed since it started (a preview's own database was just made): start it again
                running.remove(key, s);
                s.stop();
                log(key).append(key.label(), "[slipway] its variables changed; starting it again");
            }
            if (s == null || !s.alive()) {
                if (s != null) {
                    running.remove(key, s);
                }
                s = start(key, bundle, deadline);
                running.put(key, s);
            }
        }
        String problem;
        try {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/"))
                    .timeout(Duration.ofMillis(left)).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (AppServers.homePageAnswers(r.statusCode())) {
                s.touch();
                return;
            }
            problem = "GET / answered " + r.statusCode() + ", neither 2xx nor a redirect";
        } catch (IOException e) {
            problem = "GET / got no answer within " + startLimit.toSeconds() + " s (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        running.remove(key, s);
        s.stop();
        throw new ServerCheckFailed(problem, log(key).tail(LOG_TAIL_LINES));
    }

    /** Stops every server of the release and deletes its unpacked bundles and log. */
    public void remove(String appId, String releaseId) {
        for (NodeServer.Key k : List.copyOf(running.keySet())) {
            if (k.appId().equals(appId) && k.releaseId().equals(releaseId)) {
                NodeServer s = running.remove(k);
                if (s != null) {
                    s.stop();
                }
            }
        }
        bundles.remove(ServerBundle.key(appId, releaseId));
        deleteTree(root.resolve(appId).resolve(releaseId));
        logFile(appId, releaseId).delete();
    }

    /** Stops every server of one preview's host (of any release) and deletes their unpacked bundles. */
    public void removePreview(String appId, String preview) {
        String label = NodeServer.Key.preview(appId, "x", preview).label();
        for (NodeServer.Key k : List.copyOf(running.keySet())) {
            if (k.appId().equals(appId) && preview.equals(k.preview())) {
                NodeServer s = running.remove(k);
                if (s != null) {
                    s.stop();
                }
            }
        }
        try (Stream<Path> releases = Files.isDirectory(root.resolve(appId)) ? Files.list(root.resolve(appId)) : Stream.empty()) {
            releases.map(r -> r.resolve(label)).filter(Files::isDirectory).toList().forEach(AppServerPool::deleteTree);
        } catch (IOException e) {
            LOG.warn("could not list the servers of {}: {}", appId, e.toString());
        }
    }

    public ServerLogs.Page logs(String appId, String releaseId, Instant since, int limit) {
        return logFile(appId, releaseId).read(since, limit);
    }

    /** How many servers run now (for tests and benchmarks). */
    public int runningCount() {
        return (int) running.values().stream().filter(NodeServer::alive).count();
    }

    /** The running server of the key, if any (never starts one). */
    public Optional<NodeServer> running(NodeServer.Key key) {
        return Optional.ofNullable(running.get(key)).filter(NodeServer::alive);
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        running.values().forEach(NodeServer::stop);
        running.clear();
    }

    // ---- starting

    private NodeServer start(NodeServer.Key key, ServerBundle bundle, long deadline) throws ServerCheckFailed {
        ServerLogFile log = log(key);
        String scope = key.label();
        Path dir = root.resolve(key.appId()).resolve(key.releaseId()).resolve(scope);
        Path app;
        Path tmp = dir.resolve("tmp");
        try {
            app = unpack(key, bundle, dir);
            Files.createDirectories(tmp);
        } catch (IOException | RuntimeException e) {
            throw new ServerCheckFailed("the server bundle could not be unpacked: " + e.getMessage(), log.tail(LOG_TAIL_LINES));
        }
        boolean sandboxed = sandbox instanceof Bubblewrap;
        // in its sandbox the server has a network of its own, so Lambda's port; outside, a free one of the host
        int port = sandboxed ? SANDBOXED_PORT : freePort();
        Map<String, String> values = values(key);
        Map<String, String> secrets = allValues(key.appId());
        values.forEach((k, v) -> secrets.put(k + "@" + scope, v));
        LogRedactor redactor = new LogRedactor(secrets);
        Map<String, String> env = new LinkedHashMap<>(RuntimeVariables.serverSide(values));
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String pass : List.of("LANG", "LC_ALL", "TZ")) {
            String v = System.getenv(pass);
            if (v != null) {
                env.put(pass, v);
            }
        }
        env.put("HOME", sandboxed ? "/tmp" : tmp.toString());
        env.put("TMPDIR", sandboxed ? "/tmp" : tmp.toString());
        env.put("NODE_ENV", "production");
        env.put("PORT", Integer.toString(port));
        env.put("HOSTNAME", "127.0.0.1"); // Next's standalone server binds HOSTNAME
        env.put("HOST", "127.0.0.1");
        env.put("NEXT_TELEMETRY_DISABLED", "1");
        if (sandboxed) {
            // the way out: public addresses through the egress proxy (Node 22.21+/24.5+ honour these in fetch
            // and http with NODE_USE_ENV_PROXY; older Node only through proxy-aware clients)
            String proxy = "http://127.0.0.1:" + Bubblewrap.PROXY_PORT;
            for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
                env.put(name, proxy);
            }
            env.put("NO_PROXY", "localhost,127.0.0.1,::1");
            env.put("no_proxy", "localhost,127.0.0.1,::1");
            env.put("NODE_USE_ENV_PROXY", "1");
        }
        List<String> command = List.of("node", bundle.entry());
        ProcessBuilder pb;
        Path inbound = null;
        InboundRelay relay = null;
        EgressProxy egress = null;
        if (sandboxed) {
            try {
                // its own proxy: the database endpoints its own values name are its alone
                DatabaseTunnels tunnels = DatabaseTunnels.of(RuntimeVariables.serverSide(values), localDatabase,
                        Set.of(port, Bubblewrap.PROXY_PORT));
                tunnels.refused().forEach(why -> log.append(scope, "[slipway] no database tunnel: " + why));
                if (!tunnels.tunnels().isEmpty()) {
                    log.append(scope, "[slipway] database tunnels to " + String.join(", ", tunnels.endpoints()));
                }
                egress = EgressProxy.forServer(tunnels, localDatabase, InetAddress.getByName(LocalPostgres.TUNNEL_SOURCE));
                inbound = Files.createTempDirectory("slipway-in"); // short: Unix socket paths end at ~100 bytes
                relay = InboundRelay.start(inbound.resolve(Bubblewrap.SERVER_SOCKET));
                pb = ((Bubblewrap) sandbox).server(app, tmp, inbound, port, egress, tunnels, command, env);
            } catch (IOException e) {
                release(relay, inbound, egress);
                throw new ServerCheckFailed("the server's sandbox could not be prepared: " + e.getMessage(), log.tail(LOG_TAIL_LINES));
            }
        } else {
            pb = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        log.append(scope, "[slipway] starting " + bundle.framework() + " server: node " + bundle.entry() + " on port " + port
                + (sandboxed ? " (bubblewrap)" : " (no sandbox)") + ", " + env.size() + " variables ("
                + String.join(", ", RuntimeVariables.serverSide(values).keySet()) + ")");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            release(relay, inbound, egress);
            throw new ServerCheckFailed("node could not be started: " + e.getMessage(), log.tail(LOG_TAIL_LINES));
        }
        pump(p, log, scope, redactor);
        InboundRelay startedRelay = relay;
        Path startedInbound = inbound;
        EgressProxy startedEgress = egress;
        NodeServer s = new NodeServer(key, p, relay != null ? relay.port() : port, fingerprint(values),
                () -> release(startedRelay, startedInbound, startedEgress));
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                s.stop();
                throw new ServerCheckFailed("the server exited with status " + p.exitValue() + " before it listened on PORT " + port,
                        afterPump(log));
            }
            if (inbound != null ? Files.exists(inbound.resolve(Bubblewrap.SERVER_READY)) : listening(port)) {
                log.append(scope, "[slipway] listening on port " + port + " after " + s.ageMillis() + " ms");
                return s;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        s.stop();
        throw new ServerCheckFailed("the server did not listen on PORT " + port + " within " + startLimit.toSeconds()
                + " s: it must listen on the port Slipway gives it in the PORT variable", afterPump(log));
    }

    /** The log tail a moment after an exit, so the last lines the pump is still writing are in it. */
    private String afterPump(ServerLogFile log) {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return log.tail(LOG_TAIL_LINES);
    }

    /** A server's values: its scope's, and for a preview's own server the preview's over them. */
    private Map<String, String> values(NodeServer.Key key) {
        Map<String, String> values = new TreeMap<>(environment.values(key.appId(), key.scope()));
        if (key.preview() != null) {
            values.putAll(environment.previewValues(key.appId(), key.preview()));
        }
        return values;
    }

    private String fingerprint(NodeServer.Key key) {
        return fingerprint(values(key));
    }

    /** A digest of the values a server started with (never the values themselves). */
    private static String fingerprint(Map<String, String> values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(values).forEach((k, v) -> sha.update((k + "\0" + v + "\0").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> allValues(String appId) {
        Map<String, String> all = new LinkedHashMap<>();
        for (EnvScope scope : EnvScope.values()) {
            environment.values(appId, scope).forEach((k, v) -> all.put(k + "@" + scope.id(), v));
        }
        return all;
    }

    private static void pump(Process p, ServerLogFile log, String scope, LogRedactor redactor) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(scope, redactor.redact(line));
                }
            } catch (IOException | UncheckedIOException e) {
                // the process ended
            }
        }, "app-server-log");
        t.setDaemon(true);
        t.start();
    }

    /** Unpacks the bundle once per release and scope, checking the zip's SHA-256 against the release's. */
    private Path unpack(NodeServer.Key key, ServerBundle bundle, Path dir) throws IOException {
        Path app = dir.resolve("app");
        Path marker = dir.resolve("unpacked-" + bundle.sha256());
        if (Files.exists(marker)) {
            return app;
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Path staging = dir.resolve("app-" + UUID.randomUUID());
        Path zip = dir.resolve("bundle-" + UUID.randomUUID() + ".zip");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(ServerBundle.key(key.appId(), key.releaseId())));
             InputStream digesting = new DigestInputStream(in, sha)) {
            Files.copy(digesting, zip, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(bundle.sha256())) {
            Files.deleteIfExists(zip);
            throw new IllegalStateException("the bundle's SHA-256 differs from the release's");
        }
        try (InputStream in = Files.newInputStream(zip)) {
            ServerOutput.unzip(in, staging);
        } finally {
            Files.deleteIfExists(zip);
        }
        Files.move(staging, app, StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(marker);
        return app;
    }

    private static void release(InboundRelay relay, Path inbound, EgressProxy egress) {
        if (relay != null) {
            relay.close();
        }
        if (egress != null) {
            egress.close();
        }
        if (inbound != null) {
            deleteTree(inbound);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- idle stop

    private void reap() {
        try {
            for (NodeServer s : List.copyOf(running.values())) {
                if (!s.alive()) {
                    discard(s);
                } else if (s.idleNanos() > idleLimit.toNanos()) {
                    synchronized (locks.computeIfAbsent(s.key(), k -> new Object())) {
                        if (s.idleNanos() > idleLimit.toNanos() && running.remove(s.key(), s)) {
                            s.stop();
                            log(s.key()).append(s.key().label(), "[slipway] stopped after " + idleLimit.toSeconds() + " s without requests");
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("app server reaper: {}", e.toString());
        }
    }

    // ---- logs and files

    private ServerLogFile log(NodeServer.Key key) {
        return logFile(key.appId(), key.releaseId());
    }

    private ServerLogFile logFile(String appId, String releaseId) {
        return logs.computeIfAbsent(appId + "/" + releaseId,
                k -> new ServerLogFile(root.resolve("logs").resolve(appId).resolve(releaseId + ".log")));
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
