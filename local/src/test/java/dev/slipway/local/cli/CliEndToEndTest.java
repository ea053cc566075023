package dev.slipway.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cli.ExitCode;
import dev.slipway.cli.Main;
import dev.slipway.cli.Terminal;
import dev.slipway.local.AdminApi;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The users' CLI against `slipway up`, in-process (its own config folder, working folder and streams per run): sign
 * in (config 0600), create and link an app, import a folder honouring .gitignore, deploy with progress until the
 * edge serves it, redeploy, roll back, environment values that are never echoed, a preview, a failing deploy (exit 1
 * with its build log), the exit codes of not found, unauthorized and forbidden, and a dropped answer retried with its
 * Idempotency-Key (the work done once), the database (link from stdin, backup, download, restore, move). Every --json output is parsed.
 * Static sites and a dependency-free build keep it to seconds; one runtime for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    private static final AdminApi api = slipway.api();
    private static final EdgeClient sites = slipway.edge();
    private static final String APP = "cli-shop";
    @TempDir
    static Path home;
    static Path project;
    static String firstRelease;
    static String secondRelease;

    /** What one run of the CLI left: its exit code and both streams. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            assertFalse(out.isBlank(), "no JSON on stdout; stderr: " + err);
            assertEquals(1, out.strip().lines().count(), "one JSON document on one line: " + out);
            return Json.parse(out);
        }

        Run ok() {
            assertEquals(ExitCode.OK, exit, "exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    @BeforeAll
    static void folders() throws Exception {
        project = Files.createDirectories(home.resolve("work/cli-shop"));
        Files.createDirectories(home.resolve("config"));
    }

    static Run cli(Path cwd, Map<String, String> extraEnv, String stdin, boolean interactive, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.putAll(extraEnv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new Terminal(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env, cwd, interactive));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run cli(String... args) {
        return cli(project, Map.of(), "", false, args);
    }

    static Path configFile() {
        return home.resolve("config/slipway/config.json");
    }

    @Test
    @Order(1)
    void loginChecksTheTokenAndKeepsItReadableByTheUserOnly() throws Exception {
        // Not signed in, nothing running near: exit 3 with a hint
        Run none = cli("apps");
        assertEquals(ExitCode.AUTH, none.exit(), none.toString());
        assertTrue(none.err().contains("slipway login"), none.err());

        // A wrong token is refused by the API and nothing is kept
        Run wrong = cli(project, Map.of(), "slwt_not-a-token\n", false, "login", "--api", api.url());
        assertEquals(ExitCode.AUTH, wrong.exit(), wrong.toString());
        assertTrue(wrong.err().contains("(unauthorized)"), wrong.err());
        assertFalse(Files.exists(configFile()));

        // The admin token on stdin: checked, kept 0600 in a 0700 folder, never printed
        String token = slipway.runtime().adminToken();
        Run in = cli(project, Map.of(), token + "\n", false, "login", "--api", api.url() + "/", "--json").ok();
        assertEquals(api.url(), in.json().path("apiUrl").asText());
        assertFalse(in.out().contains(token) || in.err().contains(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile().getParent())));
        assertEquals(token, Json.parse(Files.readString(configFile())).path("token").asText());
    }

    @Test
    @Order(2)
    void appsAreCreatedLinkedAndListed() throws Exception {
        JsonNode created = cli("apps", "create", "CLI Shop", "--id", APP, "--link", "--json").ok().json();
        assertEquals(APP, created.path("id").asText());
        assertEquals(APP, Files.readString(project.resolve(".slipway-app")).strip());

        Run again = cli("apps", "create", "CLI Shop", "--id", APP, "--json");
        assertEquals(ExitCode.CONFLICT, again.exit(), again.toString());
        assertEquals("urn:slipway:problem:app-exists", again.json().path("error").path("problem").path("type").asText());
        assertTrue(again.err().startsWith("slipway: ") && again.err().strip().lines().count() == 1, again.err());

        // The same Idempotency-Key again: the first answer, the work done once
        JsonNode first = cli("apps", "create", "Twice", "--idempotency-key", "cli-test-twice", "--json").ok().json();
        JsonNode replay = cli("apps", "create", "Twice", "--idempotency-key", "cli-test-twice", "--json").ok().json();
        assertEquals(first, replay);

        JsonNode list = cli("apps", "--json").ok().json();
        List<String> ids = new ArrayList<>();
        list.path("apps").forEach(a -> ids.add(a.path("id").asText()));
        assertTrue(ids.contains(APP) && ids.contains("twice"), ids.toString());
        assertTrue(cli("apps", "list").ok().out().contains(APP));

        // link: another folder becomes an app's (checked first: an unknown app is 4, nothing written)
        Path other = Files.createDirectories(home.resolve("work/other"));
        assertEquals(ExitCode.NOT_FOUND, cli(other, Map.of(), "", false, "apps", "link", "no-such-app").exit());
        assertFalse(Files.exists(other.resolve(".slipway-app")));
        cli(other, Map.of(), "", false, "apps", "link", "twice").ok();
        assertEquals("twice", Files.readString(other.resolve(".slipway-app")).strip());
        assertTrue(cli(other, Map.of(), "", false, "status").ok().out().contains("none yet"), "status of the linked app");
    }

    @Test
    @Order(3)
    void importZipsTheFolderAsGitWouldCommitIt() throws Exception {
        write("index.html", "<!doctype html><h1>CLI one</h1>\n");
        write("about/index.html", "<h1>About</h1>\n");
        write(".gitignore", "*.log\n!keep.log\nsecrets/\n/local-only.txt\n");
        write("debug.log", "noise\n");
        write("keep.log", "kept on purpose\n");
        write("secrets/key.txt", "do not ship\n");
        write("about/local-only.txt", "not anchored here: kept\n");
        write("local-only.txt", "anchored: left out\n");
        write("about/.gitignore", "draft.html\n");
        write("about/draft.html", "<h1>Draft</h1>\n");

        // A person at a terminal sees the upload's progress bar on stderr
        Run r = cli(project, Map.of(), "", true, "import").ok();
        assertTrue(r.err().contains("uploading [##############################] 100%"), r.err());
        assertTrue(r.out().contains("Imported: commit"), r.out());

        String commit = Json.parse(api.json("GET", "/apps/" + APP + "/commits?limit=1", null).body()).path("commits").get(0).path("sha").asText();
        List<String> files = new ArrayList<>();
        Json.parse(api.json("GET", "/apps/" + APP + "/commits/" + commit + "/files", null).body()).path("files")
                .forEach(f -> files.add(f.path("path").asText()));
        assertEquals(List.of(".gitignore", "about/.gitignore", "about/index.html", "about/local-only.txt", "index.html", "keep.log"),
                files.stream().sorted().toList());
    }

    @Test
    @Order(4)
    void deployFollowsTheStepsAndTheSiteAnswersAtTheEdge() throws Exception {
        Run r = cli("deploy").ok();
        assertTrue(r.err().contains("✓ Build") && r.err().contains("✓ PromoteRelease"), r.err());
        assertTrue(r.err().contains("│ "), "the build log is followed: " + r.err());
        assertTrue(r.out().startsWith("Live: " + slipway.runtime().siteUrl(APP)), r.out());
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        firstRelease = app.path("production").path("releaseId").asText();
        assertTrue(sites.site(APP, "/").text().contains("CLI one"));

        JsonNode open = cli("open", "--json").ok().json();
        assertEquals(slipway.runtime().siteUrl(APP), open.path("url").asText());
        JsonNode log = cli("logs", "--json").ok().json();
        assertFalse(log.path("log").asText().isEmpty(), log.toString());
    }

    @Test
    @Order(5)
    void aSecondDeployThenARollbackToTheFirst() throws Exception {
        write("index.html", "<!doctype html><h1>CLI two</h1>\n");
        assertEquals(1, cli("import", "--upload", "--json").ok().json().path("filesChanged").asInt()); // through a presigned upload
        JsonNode d = cli("deploy", "--json").ok().json();
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        secondRelease = d.path("releaseId").asText();
        assertNotEquals(firstRelease, secondRelease);
        assertTrue(sites.site(APP, "/").text().contains("CLI two"));

        JsonNode back = cli("rollback", "--reason", "two broke checkout", "--json").ok().json();
        assertEquals(firstRelease, back.path("current").asText(), back.toString());
        assertTrue(back.path("pinned").asBoolean());
        assertTrue(sites.site(APP, "/").text().contains("CLI one"));
        assertTrue(api.json("GET", "/apps/" + APP + "/audit?limit=500", null).body().contains("two broke checkout"));
        JsonNode status = cli("status", "--json").ok().json();
        assertEquals(firstRelease, status.path("production").path("releaseId").asText(), status.toString());
        assertTrue(status.path("production").path("pinned").asBoolean());
        assertTrue(cli("status").ok().out().contains("PINNED"));
        List<String> releases = new ArrayList<>();
        cli("releases", "--json").ok().json().path("releases").forEach(x -> releases.add(x.path("id").asText()));
        assertEquals(List.of(secondRelease, firstRelease), releases, "newest first");

        JsonNode promoted = cli("promote", secondRelease, "--unpin", "--json").ok().json();
        assertEquals(secondRelease, promoted.path("promoted").path("current").asText(), promoted.toString());
        assertTrue(sites.site(APP, "/").text().contains("CLI two"));
    }

    @Test
    @Order(6)
    void environmentValuesGoInFromStdinAndNeverComeOut() {
        String value = "sk_test_cli_value_" + System.nanoTime();
        Run set = cli(project, Map.of(), value + "\n", false, "env", "set", "PAYMENT_KEY", "--scope", "production").ok();
        assertFalse(set.out().contains(value) || set.err().contains(value));
        Run ls = cli("env", "ls", "--json").ok();
        assertFalse(ls.out().contains(value));
        JsonNode v = ls.json().path("variables").get(0);
        assertEquals("PAYMENT_KEY", v.path("name").asText());
        assertEquals("[\"production\"]", v.path("scopes").toString());
        assertTrue(cli("env").ok().out().contains("PAYMENT_KEY"));
        assertEquals(0, cli("env", "rm", "PAYMENT_KEY", "--json").ok().json().path("variables").size());
        // no value: a usage error, nothing sent
        assertEquals(ExitCode.USAGE, cli("env", "set", "EMPTY").exit());
    }

    @Test
    @Order(7)
    void aPreviewIsCreatedListedExtendedAndDeleted() throws Exception {
        JsonNode p = cli("deploy", "--preview", "feature-x", "--ttl-hours", "5", "--json").ok().json();
        assertEquals("SUCCEEDED", p.path("deployment").path("status").asText(), p.toString());
        assertEquals("live", p.path("preview").path("status").asText(), p.toString());
        assertTrue(sites.site("feature-x--" + APP, "/").text().contains("CLI two"));

        JsonNode list = cli("previews", "--json").ok().json();
        assertEquals("feature-x", list.path("previews").get(0).path("name").asText());
        String expires = list.path("previews").get(0).path("expiresAt").asText();
        cli("previews", "extend", "feature-x", "--hours", "48").ok();
        String extended = Json.parse(api.json("GET", "/apps/" + APP + "/previews/feature-x", null).body()).path("expiresAt").asText();
        assertTrue(extended.compareTo(expires) > 0, expires + " → " + extended);
        assertEquals(ExitCode.OK, cli("open", "--preview", "feature-x").exit());
        cli("previews", "delete", "feature-x").ok();
        assertEquals(ExitCode.NOT_FOUND, cli("previews", "delete", "feature-x").exit());
    }

    @Test
    @Order(8)
    void aFailedDeployExitsOneWithItsLog() throws Exception {
        Path broken = Files.createDirectories(home.resolve("work/broken"));
        Files.writeString(broken.resolve("package.json"), "{\"name\":\"broken\",\"version\":\"1.0.0\",\"private\":true,"
                + "\"scripts\":{\"build\":\"node -e \\\"console.error('broken on purpose'); process.exit(3)\\\"\"}}\n");
        Files.writeString(broken.resolve("package-lock.json"), "{\"name\":\"broken\",\"version\":\"1.0.0\",\"lockfileVersion\":3,"
                + "\"requires\":true,\"packages\":{\"\":{\"name\":\"broken\",\"version\":\"1.0.0\"}}}\n");
        cli(project, Map.of(), "", false, "import", broken.toString(), "--branch", "broken").ok();
        Run r = cli("deploy", "--ref", "broken");
        assertEquals(ExitCode.FAILED, r.exit(), r.toString());
        assertTrue(r.err().contains("broken on purpose"), "the build log is followed: " + r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("slipway: deployment ") && l.contains("failed")), r.err());
        assertTrue(sites.site(APP, "/").text().contains("CLI two"), "production keeps serving");
        assertTrue(cli("logs").ok().out().contains("broken on purpose"));

        // Detached, then followed with logs -f: the log as it comes, exit 1 when the deployment fails
        JsonNode started = cli("deploy", "--ref", "broken", "--detach", "--json").ok().json();
        assertEquals("RUNNING", started.path("status").asText(), started.toString());
        Run followed = cli("logs", "-f", started.path("deploymentId").asText());
        assertEquals(ExitCode.FAILED, followed.exit(), followed.toString());
        assertTrue(followed.out().contains("broken on purpose"), followed.out());
    }

    @Test
    @Order(9)
    void exitCodesForNotFoundUnauthorizedAndForbidden() throws Exception {
        assertEquals(ExitCode.NOT_FOUND, cli("deploy", "--app", "no-such-app").exit());
        assertEquals(ExitCode.NOT_FOUND, cli("logs", "01HZZZZZZZZZZZZZZZZZZZZZZZ").exit());
        assertEquals(ExitCode.USAGE, cli("deploy", "--app", "Not An Id").exit());
        assertEquals(ExitCode.USAGE, cli("rollback", "--no-such-flag").exit());
        Run unauthorized = cli(project, Map.of("SLIPWAY_API", api.url(), "SLIPWAY_TOKEN", "slwt_wrong"), "", false, "apps", "--json");
        assertEquals(ExitCode.AUTH, unauthorized.exit(), unauthorized.toString());
        assertEquals(401, unauthorized.json().path("error").path("problem").path("status").asInt());

        // A viewer may look but not deploy (403); then it is revoked and refused (401)
        JsonNode viewer = cli("tokens", "create", "cli-viewer", "--role", "viewer", "--app", APP, "--json").ok().json();
        Map<String, String> asViewer = Map.of("SLIPWAY_TOKEN", viewer.path("token").asText());
        assertEquals(ExitCode.OK, cli(project, asViewer, "", false, "previews").exit());
        Run forbidden = cli(project, asViewer, "", false, "deploy");
        assertEquals(ExitCode.AUTH, forbidden.exit(), forbidden.toString());
        assertTrue(forbidden.err().contains("forbidden-role"), forbidden.err());
        assertTrue(cli("tokens").ok().out().contains("cli-viewer"));
        cli("tokens", "revoke", viewer.path("tokenId").asText()).ok();
        assertEquals(ExitCode.AUTH, cli(project, asViewer, "", false, "previews").exit());

        // Unreachable: nothing listens there
        assertEquals(ExitCode.UNREACHABLE, cli(project, Map.of("SLIPWAY_API", "http://127.0.0.1:9", "SLIPWAY_TOKEN", "x"), "", false, "apps").exit());

        // logout forgets the token: not signed in again (nothing near runs a slipway up)
        cli("logout").ok();
        assertEquals(ExitCode.AUTH, cli("apps").exit());
    }

    @Test
    @Order(10)
    void theScriptRunsTheShippedJarInTheCallersFolderAndFindsSlipwayUpByItsRuntimeFile() throws Exception {
        // ./slipway as a user runs it, from the app's folder: the jar alone in its own JVM, the app from .slipway-app,
        // the API and token from the runtime.json of the running slipway up (signed out above)
        Path script = EmbeddedEngines.repoRoot().resolve("slipway");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "open", "--json").directory(project.toFile());
        pb.environment().remove("SLIPWAY_API");
        pb.environment().remove("SLIPWAY_TOKEN");
        pb.environment().remove("SLIPWAY_APP");
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("SLIPWAY_DATA", slipway.dataDir().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        assertEquals("", err, "nothing on stderr (no logging noise)");
        assertEquals(slipway.runtime().siteUrl(APP), Json.parse(out).path("url").asText(), out);
    }

    @Test
    @Order(11)
    void aDroppedAnswerIsRetriedWithTheSameKeyAndTheWorkIsDoneOnce() throws Exception {
        // Between the CLI and the API, a connection that delivers the request and drops the answer: the app is created,
        // the CLI never hears it, retries with the same Idempotency-Key and gets the first answer replayed
        URI target = URI.create(api.url());
        try (ServerSocket front = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread relay = new Thread(() -> {
                while (!front.isClosed()) {
                    try {
                        Socket client = front.accept();
                        Socket server = new Socket(target.getHost(), target.getPort());
                        boolean drop = connections.incrementAndGet() == 1;
                        Thread up = new Thread(() -> pipe(client, server));
                        up.setDaemon(true);
                        up.start();
                        if (drop) {
                            server.getInputStream().read(); // the API answered: the work is done
                            client.close();
                            server.close();
                        } else {
                            Thread down = new Thread(() -> pipe(server, client));
                            down.setDaemon(true);
                            down.start();
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            relay.setDaemon(true);
            relay.start();
            Map<String, String> viaRelay = Map.of("SLIPWAY_API", "http://127.0.0.1:" + front.getLocalPort(),
                    "SLIPWAY_TOKEN", slipway.runtime().adminToken());
            Run r = cli(project, viaRelay, "", false, "apps", "create", "Flaky Network", "--json").ok();
            assertEquals("flaky-network", r.json().path("id").asText());
            assertTrue(connections.get() >= 2, "the first answer was dropped and the call sent again");
        }
        JsonNode audit = Json.parse(api.json("GET", "/apps/flaky-network/audit", null).body());
        assertEquals(1, audit.path("events").size(), "created once: " + audit);
    }

    @Test
    @Order(12)
    void theDatabaseIsLinkedBackedUpRestoredAndMovedWithoutAUrlOnTheCommandLine() throws Exception {
        dev.slipway.shared.data.postgres.PostgresServer pg = slipway.runtime().postgres().server();
        String password = "cli-db-secret-0815";
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"cli-db\",\"name\":\"CLI DB\"}").statusCode());
        try (dev.slipway.shared.data.postgres.ScratchDatabase source = pg.createDatabase("clisrc");
             dev.slipway.shared.data.postgres.ScratchDatabase restored = pg.createDatabase("clirst");
             dev.slipway.shared.data.postgres.ScratchDatabase moved = pg.createDatabase("climov")) {
            try (java.sql.Connection c = pg.connect("postgres"); java.sql.Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS cli_app");
                s.execute("CREATE ROLE cli_app LOGIN SUPERUSER PASSWORD '" + password + "'");
            }
            try (java.sql.Connection c = source.connect(); java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, meta jsonb)");
                s.execute("INSERT INTO orders (item, meta) SELECT 'item ' || g, jsonb_build_object('g', g) FROM generate_series(1, 500) g");
            }
            // signed in by the environment, as a script would be (an earlier test signed the config out)
            java.util.function.Function<String, String> url = db -> "postgres://cli_app:" + password + "@127.0.0.1:" + pg.port() + "/" + db + "?sslmode=disable";

            // the URL comes on stdin and never comes back
            Run linked = db(url.apply(source.name()) + "\n", "db", "link", "--kind", "postgres").ok();
            Run status = db("", "db").ok();
            for (Run r : List.of(linked, status)) {
                assertFalse((r.out() + r.err()).contains(password), r.toString());
            }
            assertTrue(status.out().contains(source.name()) && status.out().contains("(none yet"), status.out());

            JsonNode backup = db("", "db", "backup", "--json").ok().json();
            assertEquals("VERIFIED", backup.path("status").asText(), backup.toString());
            assertEquals(500, backup.path("rows").asInt(), backup.toString());
            String backupId = backup.path("backupId").asText();
            assertTrue(db("", "db", "backups").ok().out().contains(backupId));

            Run download = db("", "db", "download", backupId, "-o", "backup.slwb").ok();
            assertEquals(backup.path("bytes").asLong(), Files.size(project.resolve("backup.slwb")), download.toString());

            db(url.apply(restored.name()) + "\n", "db", "restore", backupId).ok();
            try (java.sql.Connection c = restored.connect(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT count(*), sum((meta->>'g')::int) FROM orders")) {
                r.next();
                assertEquals(500, r.getInt(1));
                assertEquals(500 * 501 / 2, r.getInt(2));
            }
            // a restore over the linked database needs its flag: refused (exit 5 or 7), nothing changed
            Run refused = db(url.apply(source.name()) + "\n", "db", "restore", backupId);
            assertTrue(refused.exit() == ExitCode.CONFLICT || refused.exit() == ExitCode.INVALID, refused.toString());

            assertEquals(0, db("", "db", "policy", "--every-hours", "0", "--json").ok().json().path("everyHours").asInt());
            assertEquals("migrations", db("", "db", "previews", "--mode", "migrations", "--json").ok().json().path("mode").asText());
            assertTrue(db("", "db", "previews").ok().out().startsWith("Preview databases: migrations"));
            assertEquals(ExitCode.INVALID, db("", "db", "previews", "--mode", "sometimes").exit());

            Run move = db(url.apply(moved.name()) + "\n", "db", "move").ok();
            assertTrue(move.out().contains("Moved and verified") && move.out().contains("slipway db switch"), move.toString());
            try (java.sql.Connection c = moved.connect(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
                r.next();
                assertEquals(500, r.getInt(1));
            }

            // no URL is a usage error before anything is sent; --stack needs none (locally the runtime's Postgres)
            assertEquals(ExitCode.USAGE, db("", "db", "move").exit());
            JsonNode toStack = db("", "db", "move", "--stack", "--json").ok().json();
            assertEquals("SUCCEEDED", toStack.path("status").asText(), toStack.toString());
            assertEquals(500, toStack.path("rows").asInt(), toStack.toString());
            db("", "db", "unlink").ok();
            assertEquals(ExitCode.NOT_FOUND, db("", "db").exit());
        } finally {
            try (java.sql.Connection c = pg.connect("postgres"); java.sql.Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS cli_app");
            }
        }
    }

    /** The CLI as a script runs it: API, token and app from the environment, {@code stdin} piped. */
    private static Run db(String stdin, String... args) {
        return cli(project, Map.of("SLIPWAY_API", api.url(), "SLIPWAY_TOKEN", slipway.runtime().adminToken(), "SLIPWAY_APP", "cli-db"), stdin, false, args);
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException closed) {
            // either side closed: the relay's connection is over
        }
    }

    private static void write(String relative, String content) throws Exception {
        Path f = project.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
    }
}
