package dev.slipway.local.servers;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.deploy.build.LocalBuildRunner;
import dev.slipway.shared.deploy.build.sandbox.Bubblewrap;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerBundles;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.deploy.server.hosting.AppServers.ServerCheckFailed;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.ids.Ulid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The local app servers on their own (the embedded S3, real node, the builds' sandbox): a server that exits,
 * ignores PORT or answers its home page with a 500 fails its check with the reason and its log tail; a good one
 * gets its scope's server-side values (never public or other-scope ones), cannot see outside its folder,
 * logs redacted, and is stopped when idle.
 */
class AppServerPoolTest {
    private static final String APP = "pool-app";
    private static final String SECRET = "s3cret-database-password";

    @TempDir
    static Path dir;
    static EmbeddedEngines engines;
    static AppServerPool pool;
    static String bucket;
    static LocalEncryptedAppEnvironment env;
    static Path outside;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")) || System.getenv("PATH").contains("node"), "node is not installed");
        engines = EmbeddedEngines.get();
        bucket = engines.bucketName("ArtifactsBucket");
        env = new LocalEncryptedAppEnvironment(dir.resolve("secrets"));
        env.change(APP, Map.of(
                "DATABASE_PASSWORD", new dev.slipway.shared.env.AppEnvironment.Entry(SECRET, Set.of(EnvScope.PRODUCTION)),
                "PREVIEW_ONLY", new dev.slipway.shared.env.AppEnvironment.Entry("for previews", Set.of(EnvScope.PREVIEW)),
                "VITE_PUBLIC", new dev.slipway.shared.env.AppEnvironment.Entry("built in", EnvScope.ALL)), java.util.List.of());
        outside = Files.writeString(dir.resolve("outside.txt"), "Slipway's own file");
        pool = new AppServerPool(engines.s3Client, bucket, dir.resolve("servers"), env, LocalBuildRunner.defaultSandbox(),
                Duration.ofSeconds(2), Duration.ofSeconds(3), new InetSocketAddress("127.0.0.1", TestPostgres.get().port()));
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void aGoodServerGetsItsScopesServerSideValuesOnlyAndSeesNothingOutsideItsFolder() throws Exception {
        String release = release("""
                const http = require('http');
                const fs = require('fs');
                console.log('starting with', process.env.DATABASE_PASSWORD);
                http.createServer((req, res) => res.end(JSON.stringify({
                  password: process.env.DATABASE_PASSWORD ?? null, preview: process.env.PREVIEW_ONLY ?? null,
                  public: process.env.VITE_PUBLIC ?? null, outside: fs.existsSync(%s)
                }))).listen(Number(process.env.PORT), process.env.HOST);
                """.formatted("'" + outside + "'"));
        NodeServer.Key prod = new NodeServer.Key(APP, release, EnvScope.PRODUCTION);
        pool.publish(prod);
        String body = get(pool.running(prod).orElseThrow().port());
        assertTrue(body.contains("\"password\":\"" + SECRET + "\""), body);
        assertTrue(body.contains("\"preview\":null") && body.contains("\"public\":null"), body);
        if (LocalBuildRunner.defaultSandbox() instanceof Bubblewrap) {
            assertTrue(body.contains("\"outside\":false"), "the server sees a file outside its folder: " + body);
        }
        NodeServer.Key preview = new NodeServer.Key(APP, release, EnvScope.PREVIEW);
        pool.publish(preview);
        String previewBody = get(pool.running(preview).orElseThrow().port());
        assertTrue(previewBody.contains("\"password\":null") && previewBody.contains("\"preview\":\"for previews\""), previewBody);
        assertNotEquals(pool.running(prod).orElseThrow().port(), pool.running(preview).orElseThrow().port(), "side by side");

        ServerLogs.Page log = pool.logs(APP, release, null, 100);
        String text = log.lines().stream().map(ServerLogs.Line::text).reduce("", (a, b) -> a + "\n" + b);
        assertTrue(text.contains("starting with [redacted:"), text);
        assertFalse(text.contains(SECRET), text);
        ServerLogs.Page second = pool.logs(APP, release, null, 1);
        assertEquals(1, second.lines().size());
        assertEquals(second.next(), pool.logs(APP, release, second.next(), 1).lines().get(0).at(), "pages follow each other");

        // idle: both stop after 2 s without a request
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((pool.running(prod).isPresent() || pool.running(preview).isPresent()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(pool.running(prod).isEmpty() && pool.running(preview).isEmpty(), "stopped when idle");
        pool.remove(APP, release);
        assertTrue(pool.logs(APP, release, null, 10).lines().isEmpty());
    }

    @Test
    void aServerThatExitsIgnoresPortOrAnswers500FailsItsCheckWithItsLog() throws Exception {
        ServerCheckFailed exits = assertThrows(ServerCheckFailed.class, () -> pool.publish(key(release(
                "console.error('cannot connect to the database'); process.exit(4);\n"))));
        assertTrue(exits.getMessage().contains("exited with status 4"), exits.getMessage());
        assertTrue(exits.logTail().contains("cannot connect to the database"), exits.logTail());

        ServerCheckFailed ownPort = assertThrows(ServerCheckFailed.class, () -> pool.publish(key(release(
                "require('http').createServer((q, r) => r.end('x')).listen(0, '127.0.0.1');\n"))));
        assertTrue(ownPort.getMessage().contains("did not listen on PORT"), ownPort.getMessage());

        ServerCheckFailed error = assertThrows(ServerCheckFailed.class, () -> pool.publish(key(release(
                "require('http').createServer((q, r) => { r.statusCode = 500; r.end('boom'); }).listen(Number(process.env.PORT), process.env.HOST);\n"))));
        assertTrue(error.getMessage().contains("GET / answered 500"), error.getMessage());
    }

    /**
     * A sandboxed server has a network of its own: Slipway's engines on the host's loopback (DynamoDB Local takes
     * any credentials) are out of reach directly and through the egress proxy, while its own loopback works and
     * the edge still reaches it — here with a streamed body of unknown length both ways.
     */
    @Test
    void aSandboxedServerCannotReachTheHostsLoopback() throws Exception {
        assumeTrue(LocalBuildRunner.defaultSandbox() instanceof Bubblewrap, "needs bubblewrap");
        int dynamo = engines.dynamo.endpoint().getPort();
        String release = release("""
                const http = require('http');
                const net = require('net');
                const tryConnect = (port) => new Promise((done) => {
                  const s = net.connect(port, '127.0.0.1');
                  s.on('connect', () => { s.destroy(); done('connected'); });
                  s.on('error', (e) => done(e.code));
                });
                const viaProxy = (target) => new Promise((done) => {
                  const r = http.request({ host: '127.0.0.1', port: 3128, method: 'CONNECT', path: target });
                  r.on('connect', (res, socket) => { socket.destroy(); done(res.statusCode); });
                  r.on('error', (e) => done(e.code));
                  r.end();
                });
                const own = http.createServer((q, r) => r.end('own')).listen(0, '127.0.0.1');
                http.createServer(async (req, res) => {
                  if (req.method === 'POST') { req.pipe(res); return; }
                  res.end(JSON.stringify({
                    direct: await tryConnect(%d), proxied: await viaProxy('127.0.0.1:%d'),
                    metadata: await viaProxy('169.254.169.254:80'), own: await tryConnect(own.address().port)
                  }));
                }).listen(Number(process.env.PORT), process.env.HOST);
                """.formatted(dynamo, dynamo));
        NodeServer.Key key = key(release);
        pool.publish(key);
        int port = pool.running(key).orElseThrow().port();
        String body = get(port);
        assertTrue(body.contains("\"direct\":\"ECONNREFUSED\""), "reached DynamoDB Local directly: " + body);
        assertTrue(body.contains("\"proxied\":403") && body.contains("\"metadata\":403"), "the proxy let it through: " + body);
        assertTrue(body.contains("\"own\":\"connected\""), "its own loopback works: " + body);

        byte[] payload = new byte[300_000];
        new java.util.Random(7).nextBytes(payload);
        HttpResponse<byte[]> echoed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(payload))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echoed.statusCode());
        assertTrue(java.util.Arrays.equals(payload, echoed.body()), "the relay carries a streamed body both ways intact");
        pool.remove(APP, release);
    }

    /**
     * A sandboxed server reaches the runtime's Postgres through its tunnel with the URL it was given, unchanged: as a
     * role with a password (SCRAM, here by a dependency-free client); the passwordless superuser through the same
     * tunnel is asked for a password, a loopback endpoint its values do not name is refused by its proxy, a host name
     * resolves to its tunnel's loopback address inside (the proxy's refusal in the log), and an IP address it cannot
     * tunnel is named in its log.
     */
    @Test
    void aSandboxedServerReachesItsOwnDatabaseThroughItsTunnelWithAPasswordOnly() throws Exception {
        assumeTrue(LocalBuildRunner.defaultSandbox() instanceof Bubblewrap, "needs bubblewrap");
        int pg = TestPostgres.get().port();
        String role = "tun_" + Long.toHexString(System.nanoTime());
        try (ScratchDatabase db = TestPostgres.freshDatabase()) {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'tunnel-pw-1'");
                st.execute("CREATE TABLE notes (body text)");
                st.execute("INSERT INTO notes VALUES ('through the tunnel')");
                st.execute("GRANT SELECT ON notes TO " + role);
            }
            String release = release(NodePostgresClient.SOURCE + """
                    http.createServer(async (req, res) => {
                      const viaProxy = (target) => new Promise((done) => {
                        const r = http.request({ host: '127.0.0.1', port: 3128, method: 'CONNECT', path: target });
                        r.on('connect', (x, socket) => { socket.destroy(); done(x.statusCode); });
                        r.on('error', (e) => done(e.code));
                        r.end();
                      });
                      const ask = (url) => query(url, 'select body from notes').then((rows) => rows[0][0], (e) => e.message);
                      const named = new URL(process.env.SUPABASE_DB_URL);
                      const address = await require('dns').promises.lookup(named.hostname).then((a) => a.address, (e) => e.code);
                      res.end(JSON.stringify({
                        role: await ask(process.env.DATABASE_URL), superuser: await ask(process.env.DIRECT_URL),
                        other: await viaProxy('127.0.0.1:%d'), address, named: await ask(process.env.SUPABASE_DB_URL)
                      }));
                    }).listen(Number(process.env.PORT), process.env.HOST);
                    """.formatted(pg == 65535 ? 1 : pg + 1));
            NodeServer.Key key = NodeServer.Key.preview(APP, release, "tun");
            env.putPreviewValues(APP, "tun", Map.of(
                    "DATABASE_URL", "postgres://" + role + ":tunnel-pw-1@127.0.0.1:" + pg + "/" + db.name() + "?sslmode=disable",
                    "DIRECT_URL", "postgresql://slipway@localhost:" + pg + "/" + db.name(),
                    "POSTGRES_URL", "postgres://u:p@10.1.2.3:5432/x",
                    "SUPABASE_DB_URL", "postgres://u:p@db.tunnel.invalid:6543/x"));
            try {
                pool.publish(key);
                String body = get(pool.running(key).orElseThrow().port());
                assertTrue(body.contains("\"role\":\"through the tunnel\""), "the role through its tunnel: " + body);
                assertTrue(body.contains("\"superuser\":\"password required\""), "the superuser through a tunnel: " + body);
                assertTrue(body.contains("\"other\":403"), "an endpoint its values do not name: " + body);
                // a host name resolves to its tunnel inside; the proxy resolves it outside (here: no such host) and refuses
                // (the refused connection ends: cleanly, or reset when the app's first bytes were still unread)
                assertTrue(body.contains("\"address\":\"127.0.0.2\"")
                        && (body.contains("\"named\":\"closed\"") || body.contains("\"named\":\"read ECONNRESET\"")), body);
                String refusal = "database tunnel to db.tunnel.invalid:6543 refused: slipway sandbox: db.tunnel.invalid:6543 refused: unknown host";
                String log = "";
                for (long until = System.nanoTime() + 5_000_000_000L; !log.contains(refusal) && System.nanoTime() < until; Thread.sleep(20)) {
                    log = pool.logs(APP, release, null, 100).lines().stream().map(ServerLogs.Line::text).reduce("", (a, b) -> a + "\n" + b);
                }
                assertTrue(log.contains(refusal), "the bridge's line, from the server's stderr: " + log);
                assertTrue(log.contains("no database tunnel: POSTGRES_URL names the IP address 10.1.2.3"), log);
                assertFalse(log.contains("tunnel-pw-1"), log);
            } finally {
                env.removePreviewValues(APP, "tun");
                pool.remove(APP, release);
                try (Connection c = db.connect(); Statement st = c.createStatement()) {
                    st.execute("DROP OWNED BY " + role + " CASCADE");
                }
            }
        } finally {
            try (Connection c = TestPostgres.server().connect("postgres"); Statement st = c.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }


    private static NodeServer.Key key(String release) {
        return new NodeServer.Key(APP, release, EnvScope.PRODUCTION);
    }

    /** A release whose bundle is {@code server.js} with this code, stored as StageRelease stores one. */
    private static String release(String code) throws Exception {
        String id = Ulid.next(Instant.now()).toLowerCase(Locale.ROOT);
        Path bundle = Files.createDirectories(dir.resolve("bundle-" + id));
        Files.writeString(bundle.resolve("server.js"), code);
        Path zip = dir.resolve(id + ".zip");
        ServerOutput.zip(bundle, zip, ServerBundle.MAX_UNZIPPED_BYTES);
        ServerOutput.Measured m = ServerOutput.measure(zip, "server.js", ServerBundle.MAX_UNZIPPED_BYTES);
        ServerBundle b = new ServerBundle(ServerBundle.NODE, 20, "server.js", m.sha256(), m.zipBytes(), m.unzippedBytes());
        engines.s3Client.putObject(r -> r.bucket(bucket).key(ServerBundle.key(APP, id)).metadata(ServerBundles.metadata(b)),
                RequestBody.fromFile(zip));
        assertEquals(b, pool.bundle(APP, id).orElseThrow());
        return id;
    }

    private static String get(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }
}
