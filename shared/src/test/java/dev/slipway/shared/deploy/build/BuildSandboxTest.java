package dev.slipway.shared.deploy.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.build.sandbox.BuildSandbox;
import dev.slipway.shared.deploy.build.sandbox.Bubblewrap;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile build in the real sandbox (bubblewrap, real node): it looks for Slipway's data folder, another
 * build's folder, the host's environment and home, and tries Slipway's ports directly and through the egress
 * proxy, the metadata address and odd ports; what it found is its output. The layout mimics `slipway up`'s data
 * folder (admin-token, secrets/, builds/, build-cache/).
 */
class BuildSandboxTest {
    static final String HOST_SECRET = "host-only-Value-7f3a9c";
    static final String ADMIN_TOKEN = "slw_admin_token_for_the_sandbox_test_0123";

    @TempDir
    static Path data;
    static JsonNode found;
    static String log;
    static BuildOutcome outcome;
    static AtomicInteger apiConnections = new AtomicInteger();

    @BeforeAll
    static void hostileBuild() throws Exception {
        BuildSandbox sandbox = LocalBuildRunner.defaultSandbox();
        assertInstanceOf(Bubblewrap.class, sandbox, "the build sandbox must be tested for real: " + sandbox.description());
        Files.writeString(data.resolve("admin-token"), ADMIN_TOKEN);
        Files.createDirectories(data.resolve("secrets"));
        Files.writeString(data.resolve("secrets/master.key"), "master-key-bytes");
        Path other = Files.createDirectories(data.resolve("builds/dep-other/src"));
        Files.writeString(other.resolve("secret.txt"), "another build's file");
        Path source = Files.createDirectories(data.resolve("builds/dep-this/src"));
        Files.writeString(source.resolve("package.json"), "{\"name\":\"hostile\",\"private\":true}");
        Files.writeString(source.resolve("attack.cjs"), ATTACK);

        Map<String, String> parentEnv = new HashMap<>(System.getenv());
        parentEnv.put("SLIPWAY_ADMIN_TOKEN", HOST_SECRET);
        parentEnv.put("AWS_SECRET_ACCESS_KEY", HOST_SECRET);
        LocalBuildRunner runner = new LocalBuildRunner(data.resolve("build-cache"), Duration.ofMinutes(2), 5, parentEnv, sandbox);
        try (ServerSocket api = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                while (!api.isClosed()) {
                    try (Socket s = api.accept()) {
                        apiConnections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
            Map<String, String> appEnv = Map.of(
                    "TARGETS", String.join("\n", data.resolve("admin-token").toString(),
                            data.resolve("secrets/master.key").toString(), other.resolve("secret.txt").toString(),
                            "../../../admin-token", "/root/.bash_history", System.getProperty("user.home") + "/.m2/settings.xml",
                            "/etc/shadow", "/etc/ssh/ssh_host_ed25519_key"));
            Files.writeString(source.resolve("port.txt"), String.valueOf(api.getLocalPort())); // a variable would be redacted in the log
            Path logFile = data.resolve("attack.log");
            outcome = runner.build(new BuildJob(source, new BuildSettings(null, "true", "node attack.cjs", "dist", null),
                    appEnv, logFile, "hostile/preview"));
            log = Files.readString(logFile);
        }
        assertTrue(outcome.succeeded(), () -> outcome.failureReason() + "\n" + log);
        found = Json.parse(Files.readString(outcome.outputDir().resolve("index.html")));
    }

    @Test
    void itCannotReadTheDataFolderAnotherBuildOrTheHostsFiles() {
        List<String> leaked = new ArrayList<>();
        found.path("files").fields().forEachRemaining(e -> {
            if (!e.getValue().asText().startsWith("ERR ")) {
                leaked.add(e.getKey());
            }
        });
        assertEquals(List.of(), leaked, found.path("files").toString());
        String all = found.toString();
        assertFalse(all.contains(ADMIN_TOKEN));
        assertFalse(all.contains("master-key-bytes"));
        assertFalse(all.contains("another build's file"));
    }

    @Test
    void itSeesOnlyItsOwnFoldersAndTheToolchain() {
        List<String> root = new ArrayList<>();
        found.path("root").forEach(n -> root.add(n.asText()));
        assertFalse(root.contains("work") || root.contains("home") || root.contains("opt"), root.toString());
        assertTrue(root.contains("build") && root.contains("usr") && root.contains("tmp"), root.toString());
        assertEquals("/build/app", found.path("cwd").asText());
        assertEquals("[\".slipway\",\"app\",\"caches\",\"home\"]", found.path("build").toString(), "the app, its home and caches, the relay");
        assertTrue(found.path("processes").asInt() <= 5, "its own PID namespace: " + found.path("processes"));
        assertEquals("EROFS", found.path("writeRoot").asText());
    }

    @Test
    void itGetsNoneOfTheHostsEnvironment() {
        String env = found.path("env").toString();
        assertFalse(env.contains(HOST_SECRET), env);
        assertFalse(found.path("env").has("SLIPWAY_ADMIN_TOKEN") || found.path("env").has("AWS_SECRET_ACCESS_KEY"), env);
    }

    @Test
    void itCannotReachSlipwaysPortsOrThePrivateNetwork() {
        assertTrue(found.path("direct").asText().startsWith("ERR "), found.toString());
        assertEquals(0, apiConnections.get(), "nothing reached the stand-in for Slipway's API");
        for (String via : List.of("proxyLoopback", "proxyLocalhost", "proxyMetadata", "proxyPort22", "proxyPrivate")) {
            assertTrue(found.path(via).asText().startsWith("HTTP/1.1 403"), via + ": " + found.path(via));
        }
        assertTrue(log.contains("network: refused 127.0.0.1:" + found.path("apiPort").asText() + ": loopback address"), log);
        assertTrue(log.contains("network: refused 169.254.169.254:80: not a public address"), log);
        assertTrue(log.contains("port 22 (builds reach ports 80 and 443 only)"), log);
    }

    /** The build: tries everything, records what it got, writes it as its output. */
    static final String ATTACK = """
            const fs = require('fs');
            const net = require('net');
            const tryRead = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (e) { return 'ERR ' + e.code; } };
            const ls = (p) => { try { return fs.readdirSync(p); } catch (e) { return 'ERR ' + e.code; } };
            const connect = (host, port) => new Promise((resolve) => {
              const s = net.connect({ host, port, timeout: 3000 }, () => { s.destroy(); resolve('connected'); });
              s.on('error', (e) => resolve('ERR ' + e.code));
              s.on('timeout', () => { s.destroy(); resolve('ERR timeout'); });
            });
            const viaProxy = (target) => new Promise((resolve) => {
              const s = net.connect({ host: '127.0.0.1', port: 3128 }, () => s.write('CONNECT ' + target + ' HTTP/1.1\\r\\nHost: ' + target + '\\r\\n\\r\\n'));
              let got = '';
              s.on('data', (d) => { got += d; if (got.includes('\\r\\n')) { s.destroy(); resolve(got.split('\\r\\n')[0]); } });
              s.on('error', (e) => resolve('ERR ' + e.code));
              s.on('close', () => resolve(got || 'ERR closed'));
            });
            (async () => {
              const port = fs.readFileSync('port.txt', 'utf8').trim();
              const r = { files: {}, apiPort: port };
              for (const t of process.env.TARGETS.split('\\n')) r.files[t] = tryRead(t);
              r.root = ls('/');
              r.build = ls('/build').sort();
              r.cwd = process.cwd();
              r.processes = ls('/proc').filter((p) => /^[0-9]+$/.test(p)).length;
              try { fs.writeFileSync('/planted', 'x'); r.writeRoot = 'done'; } catch (e) { r.writeRoot = e.code; }
              r.env = process.env;
              r.direct = await connect('127.0.0.1', port);
              r.proxyLoopback = await viaProxy('127.0.0.1:' + port);
              r.proxyLocalhost = await viaProxy('localhost:' + port);
              r.proxyMetadata = await viaProxy('169.254.169.254:80');
              r.proxyPort22 = await viaProxy('registry.npmjs.org:22');
              r.proxyPrivate = await viaProxy('10.0.0.1:443');
              fs.mkdirSync('dist', { recursive: true });
              fs.writeFileSync('dist/index.html', JSON.stringify(r));
            })();
            """;
}
