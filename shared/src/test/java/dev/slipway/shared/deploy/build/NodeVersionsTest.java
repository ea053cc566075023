package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.imports.detect.FrameworkDetector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Node.js major an app pins is the one its build runs, in the real sandbox: the fixture {@code node-pinned}
 * (one dependency, a build script writing the Node.js version that ran it into the page) gets an {@code .nvmrc}
 * naming another major than this machine's, which is fetched from the npm registry ({@link NodeRuntimes}).
 * The same build's log is clean: no warning that Slipway's settings cause.
 */
class NodeVersionsTest {
    /** Lines of a build log that are warnings (npm's, node's, any tool's). */
    static final Pattern WARNING = Pattern.compile("(?i)\\bwarn(ing)?\\b");

    @TempDir
    static Path shared;
    static LocalBuildRunner runner;
    static int machineMajor;

    @BeforeAll
    static void runner() throws Exception {
        assumeTrue(LocalBuildRunnerTest.onPath("npm") && LocalBuildRunnerTest.onPath("node"), "npm/node are not on PATH");
        runner = new LocalBuildRunner(shared.resolve("cache"), Duration.ofMinutes(4));
        Process p = new ProcessBuilder("node", "-p", "process.versions.node.split('.')[0]").redirectErrorStream(true).start();
        machineMajor = Integer.parseInt(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    /** A supported LTS major that is not this machine's. */
    static int otherMajor() {
        return machineMajor == 22 ? 20 : 22;
    }

    @Test
    void anNvmrcPinningAnotherMajorBuildsWithThatMajorAndACleanLog(@TempDir Path dir) throws IOException {
        int other = otherMajor();
        Path source = PackageManagersTest.copy("node-pinned", dir);
        Files.writeString(source.resolve(".nvmrc"), "v" + other + "\n");
        BuildSettings settings = FrameworkDetector.detect(source).build();
        assertEquals(String.valueOf(other), settings.nodeVersion());

        String log = buildsWith(source, dir, settings, other);
        assertTrue(log.contains("fetching Node.js " + other + " (" + NodeRuntimes.packageName() + "@" + other), log);
        List<String> warnings = log.lines().filter(l -> WARNING.matcher(l).find()).toList();
        assertEquals(List.of(), warnings, "a clean build logs no warning:\n" + log);

        // the second build of that major uses the Node.js fetched before
        Path again = PackageManagersTest.copy("node-pinned", dir.resolve("again"));
        Files.writeString(again.resolve(".nvmrc"), String.valueOf(other));
        String second = buildsWith(again, dir.resolve("again"), settings, other);
        assertFalse(second.contains("fetching Node.js"), second);
    }

    @Test
    void theMachinesMajorIsTheMachinesNode(@TempDir Path dir) throws IOException {
        Path source = PackageManagersTest.copy("node-pinned", dir);
        BuildSettings settings = new BuildSettings(null, null, null, null, String.valueOf(machineMajor));
        String log = buildsWith(source, dir, settings, machineMajor);
        assertFalse(log.contains("fetching Node.js"), log);
        assertEquals(List.of(), log.lines().filter(l -> WARNING.matcher(l).find()).toList(), log);
    }

    @Test
    void aMajorThatCannotBeHadFailsNamingIt(@TempDir Path dir) throws IOException {
        Path source = PackageManagersTest.copy("node-pinned", dir);
        Path logFile = dir.resolve("build.log");
        BuildOutcome out = runner.build(new BuildJob(source, new BuildSettings(null, null, null, null, "99"), Map.of(), logFile));
        String log = LocalBuildRunnerTest.read(logFile);
        assertFalse(out.succeeded(), log);
        assertTrue(out.failureReason().startsWith("Node.js 99 is not available"), out.failureReason());
        assertTrue(out.failureReason().contains(NodeRuntimes.packageName() + "@99"), out.failureReason());
        assertTrue(log.contains("build failed: Node.js 99 is not available"), log);
    }

    private static String buildsWith(Path source, Path dir, BuildSettings settings, int major) throws IOException {
        Path logFile = dir.resolve("build.log");
        BuildOutcome out = runner.build(new BuildJob(source, settings, Map.of(), logFile));
        String log = LocalBuildRunnerTest.read(logFile);
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + log);
        String page = Files.readString(out.outputDir().resolve("index.html"));
        assertTrue(page.contains("built with Node.js v" + major + "."), page + "\n" + log);
        assertTrue(log.contains(", Node v" + major + "."), log);
        return log;
    }
}
