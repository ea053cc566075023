package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build's server packaging (server-package.cjs in the real build sandbox) on the Express + Vite fixture:
 * the client becomes the site's files, the server with its production dependencies the bundle; a Python
 * backend fails naming what is missing; the size limit counts what a zip really holds.
 */
class ServerPackagingTest {
    @TempDir
    static Path shared;
    static LocalBuildRunner runner;
    static Path express;
    static BuildOutcome built;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(LocalBuildRunnerTest.onPath("npm") && LocalBuildRunnerTest.onPath("node"), "npm is not on PATH");
        runner = new LocalBuildRunner(shared.resolve("cache"), Duration.ofMinutes(3));
        express = copy(fixture("express-vite"), shared.resolve("express"));
        built = runner.build(new BuildJob(express, new BuildSettings(null, null, null, "dist/public", null),
                Map.of("FIXTURE_GREETING", "never-in-the-bundle"), shared.resolve("express.log")));
    }

    @Test
    void anExpressAppBecomesItsClientFilesAndANodeServerBundle() throws IOException {
        String buildLog = read(shared.resolve("express.log"));
        assertTrue(built.succeeded(), () -> built.failureReason() + "\n" + buildLog);
        Path out = built.outputDir();
        assertEquals(express.resolve(".slipway-server/static").toRealPath(), out);
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
        assertTrue(Files.isRegularFile(out.resolve("robots.txt")));
        ServerOutput.Descriptor d = ServerOutput.Descriptor.parse(Files.readAllBytes(out.resolve(ServerOutput.DESCRIPTOR)));
        assertEquals(new ServerOutput.Descriptor("node", "server/index.js", LocalBuildRunner.NodeVersion.of(Map.of("PATH", System.getenv("PATH"))).major()), d);
        ServerOutput.Measured m = ServerOutput.measure(out.resolve(ServerOutput.ZIP), d.entry(), ServerBundle.MAX_UNZIPPED_BYTES);
        assertTrue(m.unzippedBytes() > m.zipBytes());

        Path unpacked = shared.resolve("unpacked");
        try (var in = Files.newInputStream(out.resolve(ServerOutput.ZIP))) {
            ServerOutput.unzip(in, unpacked);
        }
        assertTrue(Files.isRegularFile(unpacked.resolve("server/index.js")));
        assertTrue(Files.isRegularFile(unpacked.resolve("node_modules/express/package.json")), "production dependencies");
        assertTrue(Files.isRegularFile(unpacked.resolve("dist/public/index.html")), "what the server serves itself");
        assertFalse(Files.exists(unpacked.resolve("node_modules/vite")), "no build tools");
        assertFalse(Files.exists(out.resolve("server")), "the server's code is not a site file");
        assertFalse(grep(unpacked, "never-in-the-bundle"), "runtime values are not in the bundle");
        assertTrue(read(shared.resolve("express.log")).contains("server packaging: node server, entry server/index.js"));
    }

    @Test
    void aPythonBackendFailsTheBuildNamingWhatIsMissing() throws IOException {
        Path app = Files.createDirectories(shared.resolve("python"));
        Files.createDirectories(app.resolve("backend"));
        Files.writeString(app.resolve("backend/requirements.txt"), "fastapi==0.115.0\nuvicorn\n");
        Files.writeString(app.resolve("index.html"), "<p>front end</p>");
        BuildOutcome o = runner.build(new BuildJob(app, new BuildSettings(null, null, null, ".", null), Map.of(), shared.resolve("python.log")));
        assertFalse(o.succeeded());
        assertTrue(o.failureReason().contains("Python backend (fastapi, backend/requirements.txt)"), o.failureReason());
        assertTrue(o.failureReason().contains("Node.js servers only"), o.failureReason());
    }

    @Test
    void theSizeLimitCountsTheBytesAZipReallyHolds() throws IOException {
        Path dir = Files.createDirectories(shared.resolve("big/bundle"));
        Files.writeString(dir.resolve("server.js"), "x".repeat(10_000));
        Path zip = shared.resolve("big/bundle.zip");
        assertThrows(ServerOutput.TooLarge.class, () -> ServerOutput.zip(dir, zip, 9_999));
        assertEquals(10_000, ServerOutput.zip(dir, zip, 10_000));
        ServerOutput.TooLarge e = assertThrows(ServerOutput.TooLarge.class, () -> ServerOutput.measure(zip, "server.js", 5_000));
        assertTrue(e.getMessage().contains("unzipped") && e.getMessage().contains("zipped") && e.getMessage().contains("over the limit"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerOutput.measure(zip, "main.js", 20_000), "the entry must be in it");
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ServerPackagingTest.class.getResource("/fixtures/" + name + "/package.json").toURI()).getParent();
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    private static boolean grep(Path dir, String text) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).anyMatch(p -> {
                try {
                    return Files.readString(p).contains(text);
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
        }
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }
}
