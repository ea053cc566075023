package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.BuildDiagnosis;
import dev.slipway.shared.imports.detect.FrameworkDetector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each package manager as the builder used it, in the real sandbox with the real tools (fetched through
 * {@code npx} when not on PATH, through the egress proxy): the fixtures under {@code fixtures/pm-*} are a
 * one-dependency app ({@code left-pad}) whose {@code node build.js} writes dist/index.html, with a lockfile
 * written by that tool. The build settings are the ones the import detects ({@link FrameworkDetector}).
 */
class PackageManagersTest {
    static final String PAGE = "<pre>****padded</pre>";

    @TempDir
    static Path shared;
    static LocalBuildRunner runner;

    @BeforeAll
    static void runner() {
        assumeTrue(LocalBuildRunnerTest.onPath("npm") && LocalBuildRunnerTest.onPath("npx"), "npm/npx are not on PATH");
        runner = new LocalBuildRunner(shared.resolve("cache"), Duration.ofMinutes(3));
    }

    @Test
    void bunLock() throws IOException {
        String log = builds("pm-bun", "bun install --frozen-lockfile", "bun run build");
        if (!LocalBuildRunnerTest.onPath("bun")) {
            assertTrue(log.contains("bun is not on PATH: `bun` runs `npx --yes bun@1`"), log);
        }
    }

    /** bun.lockb as bun 1.1 wrote it (binary); today's bun installs from it as it is. */
    @Test
    void bunLockb() throws IOException {
        String log = builds("pm-bun-lockb", "bun install --frozen-lockfile", "bun run build");
        assertTrue(log.contains("package manager bun (from bun.lockb)"), log);
    }

    /** pnpm installs npm's flat layout (node-linker=hoisted): a server bundle is made of plain copies, not pnpm's links. */
    @Test
    void pnpmV9() throws IOException {
        String log = builds("pm-pnpm9", "pnpm install --frozen-lockfile", "pnpm run build");
        if (!LocalBuildRunnerTest.onPath("pnpm")) {
            assertTrue(log.contains("`pnpm` runs `npx --yes pnpm@9`"), log);
        }
        List<Path> leftPads;
        try (Stream<Path> walk = Files.walk(shared.resolve("cache/deps"))) {
            leftPads = walk.filter(p -> p.endsWith(Path.of("node_modules", "left-pad"))).toList();
        }
        assertFalse(leftPads.isEmpty(), "the install was cached");
        for (Path p : leftPads) {
            assertFalse(Files.isSymbolicLink(p), p + " is pnpm's link, not a hoisted package");
            assertTrue(Files.isRegularFile(p.resolve("package.json")), p.toString());
        }
    }

    @Test
    void yarnClassic() throws IOException {
        String log = builds("pm-yarn-classic", "yarn install --frozen-lockfile", "yarn build");
        if (!LocalBuildRunnerTest.onPath("yarn")) {
            assertTrue(log.contains("`yarn` runs `npx --yes yarn@1`"), log);
        }
    }

    @Test
    void yarnBerry() throws IOException {
        String log = builds("pm-yarn-berry", "yarn install --immutable", "yarn build");
        if (!LocalBuildRunnerTest.onPath("yarn")) {
            assertTrue(log.contains("`yarn` runs `npx --yes -p @yarnpkg/cli-dist@4 yarn`"), log);
        }
    }

    @Test
    void noLockfileInstallsAndWritesOne(@TempDir Path dir) throws IOException {
        Path source = copy("pm-no-lockfile", dir);
        dev.slipway.shared.imports.detect.Detection d = FrameworkDetector.detect(source);
        assertTrue(d.findings().stream().anyMatch(f -> f.rule().equals("no-lockfile")), d.findings().toString());
        String log = builds(source, dir, "npm install", "npm run build");
        assertTrue(log.contains("no lockfile found"), log);
        assertTrue(Files.isRegularFile(source.resolve("package-lock.json")), "the install wrote a lockfile");
    }

    @Test
    void npmDriftFailsWithNpmsMessageAndTheDiagnosis(@TempDir Path dir) throws IOException {
        String log = fails("pm-npm-drift", dir);
        assertTrue(log.contains("`npm ci` can only install packages when your package.json and package-lock.json"), log);
        assertTrue(BuildDiagnosis.of(log).orElseThrow().startsWith("lockfile out of step with package.json"),
                BuildDiagnosis.of(log).toString());
    }

    @Test
    void bunDriftFailsWithBunsMessageAndTheDiagnosis(@TempDir Path dir) throws IOException {
        String log = fails("pm-bun-drift", dir);
        assertTrue(log.contains("lockfile had changes, but lockfile is frozen"), log);
        assertTrue(BuildDiagnosis.of(log).orElseThrow().startsWith("lockfile out of step with package.json"),
                BuildDiagnosis.of(log).toString());
    }

    // --- helpers

    private String builds(String fixture, String install, String build) throws IOException {
        Path dir = Files.createTempDirectory(shared, fixture);
        return builds(copy(fixture, dir), dir, install, build);
    }

    /** Builds with the detected settings, which must name {@code install} and {@code build}; returns the log. */
    private String builds(Path source, Path dir, String install, String build) throws IOException {
        var settings = FrameworkDetector.detect(source).build();
        assertEquals(install, settings.installCommand());
        assertEquals(build, settings.buildCommand());
        Path logFile = dir.resolve("build.log");
        BuildOutcome out = runner.build(new BuildJob(source, settings, Map.of(), logFile));
        String log = LocalBuildRunnerTest.read(logFile);
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + log);
        assertNull(out.failureReason());
        assertTrue(Files.readString(out.outputDir().resolve("index.html")).contains(PAGE), log);
        assertTrue(log.contains("==> install: " + install), log);
        assertTrue(log.contains("==> build: " + build), log);
        assertFalse(log.contains("Unknown env config"), log);
        assertFalse(log.contains("network: refused"), log);
        // a clean log: no warning but the fixture's own (left-pad is deprecated on the registry)
        assertEquals(List.of(), cleanLogViolations(log), log);
        return log;
    }

    private String fails(String fixture, Path dir) throws IOException {
        Path source = copy(fixture, dir);
        Path logFile = dir.resolve("build.log");
        BuildOutcome out = runner.build(new BuildJob(source, FrameworkDetector.detect(source).build(), Map.of(), logFile));
        String log = LocalBuildRunnerTest.read(logFile);
        assertFalse(out.succeeded(), log);
        assertTrue(out.failureReason().contains("install"), out.failureReason());
        return log;
    }

    /**
     * Warning lines of a build log that Slipway (not the app's own dependencies) could have caused. One known line
     * stays: yarn 1 judges "online" by the network interfaces, and the sandbox's network namespace has only its
     * loopback (the egress proxy is the way out), so it prints "You don't appear to have an internet connection"
     * and installs through the proxy regardless (docs/workflow.md).
     */
    static List<String> cleanLogViolations(String log) {
        return log.lines().filter(l -> NodeVersionsTest.WARNING.matcher(l).find())
                .filter(l -> !l.contains("deprecated left-pad"))
                .filter(l -> !l.equals("warning You don't appear to have an internet connection. Try the --offline flag"
                        + " to use the cache for registry queries."))
                .toList();
    }

    static Path fixture(String name) {
        URL url = PackageManagersTest.class.getResource("/fixtures/" + name + "/package.json");
        if (url == null) {
            throw new IllegalStateException("fixtures/" + name + " is not on the test class path");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path copy(String name, Path dir) {
        Path src = fixture(name);
        Path app = dir.resolve("app");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = app.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return app;
    }
}
