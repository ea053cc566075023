package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument parsing, where the app, API and token come from, and how answers become exit codes — no API needed. */
class CommandLineTest {
    @TempDir
    Path home;

    private Terminal terminal(Path cwd, Map<String, String> env, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        Map<String, String> all = new HashMap<>(env);
        all.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        all.put("HOME", home.toString());
        return new Terminal(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all, cwd, false);
    }

    private String[] run(Path cwd, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, terminal(cwd, env, out, err));
        return new String[]{String.valueOf(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void theSlipwayScriptDispatchesEveryCommandTheCliHasAndNoOther() throws Exception {
        // ./slipway hands its users' commands to this jar by name: a command missing there is unreachable for users
        String script = Files.readString(Path.of("..", "slipway"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  (login\\|[a-z|]+)\\)$").matcher(script);
        assertTrue(m.find(), "the users' commands' case in ./slipway");
        java.util.Set<String> dispatched = new java.util.TreeSet<>(java.util.List.of(m.group(1).split("\\|")));
        java.util.Set<String> commands = new java.util.TreeSet<>();
        new picocli.CommandLine(new SlipwayCommand()).getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // not an alias
                commands.add(name);
            }
        });
        assertEquals(commands, dispatched);
        for (String c : commands) {
            assertTrue(script.contains("#   ./slipway " + c), "./slipway help names " + c);
        }
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        String[] r = run(home, Map.of(), "--help");
        assertEquals("0", r[0]);
        for (String c : new String[]{"login", "logout", "apps", "import", "deploy", "rollback", "promote", "previews", "env", "db", "logs", "open", "tokens", "status", "releases"}) {
            assertTrue(r[1].contains("  " + c + " "), c + " missing in\n" + r[1]);
        }
        assertTrue(r[1].contains("3 not signed in"), r[1]);
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        assertEquals("2", run(home, Map.of(), "deploi")[0]);
        assertEquals("2", run(home, Map.of(), "deploy", "--bogus")[0]);
        assertEquals("2", run(home, Map.of(), "tokens", "create", "ci")[0]); // --role is required
        assertEquals("2", run(home, Map.of(), "rollback", "a", "b")[0]);
        assertEquals("2", run(home, Map.of(), "deploy", "--ttl-hours", "many")[0]);
        String[] noApp = run(home, Map.of("SLIPWAY_API", "http://127.0.0.1:9", "SLIPWAY_TOKEN", "t"), "deploy");
        assertEquals("2", noApp[0]);
        assertTrue(noApp[2].startsWith("slipway: no app chosen"), noApp[2]);
        String[] badApp = run(home, Map.of(), "deploy", "--app", "Bad_App");
        assertEquals("2", badApp[0]);
        assertTrue(badApp[2].contains("is not an app id"), badApp[2]);
    }

    @Test
    void theJsonOfAFailureIsOneDocumentOnStdout() throws Exception {
        String[] r = run(home, Map.of("SLIPWAY_API", "http://127.0.0.1:9", "SLIPWAY_TOKEN", "t"), "apps", "--json");
        assertEquals(String.valueOf(ExitCode.UNREACHABLE), r[0]);
        JsonNode error = ApiClient.JSON.readTree(r[1]).path("error");
        assertEquals(ExitCode.UNREACHABLE, error.path("exitCode").asInt());
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }

    @Test
    void theAppComesFromTheFlagTheEnvironmentTheNearestLinkFileOrTheConfig() throws Exception {
        Path deep = Files.createDirectories(home.resolve("shop/src/components"));
        Files.writeString(home.resolve("shop/.slipway-app"), "my-shop\n");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertEquals("my-shop", new Settings(terminal(deep, Map.of(), sink, sink)).app(null));
        assertEquals("other", new Settings(terminal(deep, Map.of(), sink, sink)).app("other"));
        assertEquals("env-app", new Settings(terminal(deep, Map.of("SLIPWAY_APP", "env-app"), sink, sink)).app(null));
        Settings elsewhere = new Settings(terminal(home, Map.of(), sink, sink));
        assertThrows(CliFailure.class, () -> elsewhere.app(null));
        elsewhere.saveConfig(ApiClient.object().put("app", "default-app"));
        assertEquals("default-app", elsewhere.app(null));
    }

    @Test
    void aKeptTokenIsOnlySentToTheApiItWasKeptFor() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Settings s = new Settings(terminal(home, Map.of(), sink, sink));
        s.saveConfig(ApiClient.object().put("apiUrl", "https://slipway.example.com").put("token", "kept"));
        assertEquals("kept", s.connection(null).token());
        assertEquals("kept", s.connection("https://slipway.example.com/").token());
        assertNull(s.connection("https://evil.example.net").token());
        Settings env = new Settings(terminal(home, Map.of("SLIPWAY_API", "http://127.0.0.1:4747", "SLIPWAY_TOKEN", "from-env"), sink, sink));
        assertEquals(new Settings.Connection("http://127.0.0.1:4747", "from-env", "SLIPWAY_API"), env.connection(null));

        // Next to a running slipway up (its runtime.json), signed out: its admin token for its API
        Path data = Files.createDirectories(home.resolve("repo/.slipway"));
        Files.writeString(data.resolve("runtime.json"), "{\"apiUrl\":\"http://127.0.0.1:4747\",\"adminToken\":\"local-admin\"}");
        Settings near = new Settings(terminal(home.resolve("repo"), Map.of(), sink, sink));
        near.saveConfig(ApiClient.object().put("apiUrl", "https://slipway.example.com")); // logged out: no token
        assertEquals(new Settings.Connection("http://127.0.0.1:4747", "local-admin", "runtime.json of slipway up"), near.connection(null));
    }

    @Test
    void statusesMapToExitCodes() {
        assertEquals(ExitCode.AUTH, ExitCode.ofStatus(401));
        assertEquals(ExitCode.AUTH, ExitCode.ofStatus(403));
        assertEquals(ExitCode.AUTH, ExitCode.ofStatus(429));
        assertEquals(ExitCode.NOT_FOUND, ExitCode.ofStatus(404));
        assertEquals(ExitCode.CONFLICT, ExitCode.ofStatus(409));
        assertEquals(ExitCode.INVALID, ExitCode.ofStatus(400));
        assertEquals(ExitCode.INVALID, ExitCode.ofStatus(422));
        assertEquals(ExitCode.FAILED, ExitCode.ofStatus(500));
        assertEquals(ExitCode.FAILED, ExitCode.ofStatus(503));
    }

    @Test
    void aProblemIsOneLineWithTitleDetailFieldErrorsAndItsType() throws Exception {
        JsonNode p = ApiClient.JSON.readTree("""
                {"type":"urn:slipway:problem:validation-failed","title":"The request has invalid values","status":400,
                 "detail":"2 invalid values\\nsee errors","errors":[{"pointer":"/name","detail":"too long"},{"pointer":"/ttlHours","detail":"1–720"}]}
                """);
        assertEquals("The request has invalid values: 2 invalid values see errors — /name too long; /ttlHours 1–720 (validation-failed)",
                ApiClient.problemLine(p, 400));
    }

    @Test
    void aFollowedLogPrintsOnlyWhatIsNew() {
        assertEquals("c\n", DeploymentWatch.unseen("a\nb\n", "a\nb\nc\n"));
        assertEquals("a\n", DeploymentWatch.unseen("", "a\n"));
        // the API kept only the tail: what follows the part already printed
        assertEquals("new\n", DeploymentWatch.unseen("old line one\nold line two\n", "[… 4 earlier bytes omitted]\nline one\nold line two\nnew\n"));
    }

    @Test
    void progressDrawsABarOfTheDoneShare() {
        assertEquals("up [###############...............]  50% 512 B / 1.0 KiB", Progress.line("up", 512, 1024));
    }
}
