package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real npm, real Vite. One cold build (fresh npm cache, fresh dependency cache) is shared by all tests in
 * {@link #coldBuild}; later builds of the same lockfile hit the dependency cache.
 */
class LocalBuildRunnerTest {
    static final String GREETING = "Hello from the Slipway fixture";
    static final String SECRET = "s3cr3t-Value-For-Tests-42";
    static final Map<String, String> ENV = Map.of("VITE_GREETING", GREETING, "API_SECRET", SECRET);
    static final Duration LIMIT = Duration.ofMinutes(3);
    static final Pattern HASHED_ASSET = Pattern.compile("index-[A-Za-z0-9_-]{8}\\.js");

    @TempDir
    static Path shared;
    static Path cacheRoot;
    static LocalBuildRunner runner;
    static Path coldSource;
    static Path coldLog;
    static BuildOutcome cold;
    static long coldWallMillis;

    @BeforeAll
    static void coldBuild() throws IOException {
        assumeTrue(onPath("npm") && onPath("node"), "npm is not on PATH");
        cacheRoot = shared.resolve("cache");
        runner = new LocalBuildRunner(cacheRoot, LIMIT);
        coldSource = ViteFixture.copyTo(Files.createDirectories(shared.resolve("cold")));
        coldLog = shared.resolve("cold.log");
        long t = System.nanoTime();
        cold = runner.build(new BuildJob(coldSource, BuildSettings.NONE, ENV, coldLog));
        coldWallMillis = (System.nanoTime() - t) / 1_000_000;
    }

    @Test
    void coldBuildProducesTheAppWithTheGreetingAndARedactedLog() throws IOException {
        assertTrue(cold.succeeded(), () -> cold.failureReason() + "\n" + read(coldLog));
        assertNull(cold.failureReason());
        assertFalse(cold.dependencyCacheHit());
        assertTrue(cold.lockfileHash().matches("[0-9a-f]{64}"), cold.lockfileHash());
        assertEquals(coldSource.resolve("dist").toRealPath(), cold.outputDir());
        assertTrue(Files.isRegularFile(cold.outputDir().resolve("index.html")));
        List<Path> assets = list(cold.outputDir().resolve("assets"));
        Path bundle = assets.stream().filter(p -> HASHED_ASSET.matcher(p.getFileName().toString()).matches())
                .findFirst().orElseThrow(() -> new AssertionError("no hashed asset in " + assets));
        assertTrue(Files.readString(bundle).contains(GREETING), "the VITE_ variable is in the bundle");
        assertTrue(read(cold.outputDir().resolve("index.html")).contains(bundle.getFileName().toString()));

        String log = read(coldLog);
        assertTrue(log.contains("==> install: npm ci --replace-registry-host=always"), log);
        assertTrue(log.contains("==> build: npm run build"), log);
        assertTrue(log.contains("vite"), log);
        assertFalse(log.contains(GREETING), "env values are redacted from the log");
        assertFalse(log.contains(SECRET));
        assertTrue(cold.installMillis() > 0 && cold.buildMillis() > 0);
    }

    @Test
    void warmRebuildOfTheSameLockfileSkipsTheInstall(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path log = dir.resolve("warm.log");
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        long t = System.nanoTime();
        BuildOutcome warm = runner.build(new BuildJob(source, BuildSettings.NONE, ENV, log));
        long warmWallMillis = (System.nanoTime() - t) / 1_000_000;

        assertTrue(warm.succeeded(), () -> warm.failureReason() + "\n" + read(log));
        assertTrue(warm.dependencyCacheHit());
        assertEquals(cold.lockfileHash(), warm.lockfileHash());
        assertFalse(read(log).contains("==> install:"), "no install ran");
        assertTrue(read(log).contains("dependency cache hit"));
        assertTrue(Files.readString(firstBundle(warm.outputDir())).contains(GREETING));
        // the cache entry is intact after the work copy is gone
        FileTrees.delete(source.resolve("node_modules"));
        assertTrue(Files.isExecutable(cacheRoot.resolve("deps/local").resolve(warm.lockfileHash())
                .resolve("node_modules/.bin/vite")));

        System.out.printf("cold %d ms, warm %d ms, ratio %.2f (cold install %d + build %d; warm restore %d + build %d)%n",
                coldWallMillis, warmWallMillis, (double) warmWallMillis / coldWallMillis,
                cold.installMillis(), cold.buildMillis(), warm.installMillis(), warm.buildMillis());
    }

    @Test
    void brokenBuildFailsWithTheCommandStatusAndTheLastLogLines(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")),
                ViteFixture.MAIN, "createRoot(document", "const = ;\ncreateRoot(document");
        Path log = dir.resolve("broken.log");
        BuildOutcome out = runner.build(new BuildJob(source, BuildSettings.NONE, ENV, log));

        assertFalse(out.succeeded());
        assertNull(out.outputDir());
        assertTrue(out.failureReason().startsWith("npm run build exited with status 1"), out.failureReason());
        assertTrue(out.failureReason().contains("last log lines:"), out.failureReason());
        assertTrue(out.failureReason().contains("main.jsx"), out.failureReason());
        assertTrue(out.failureReason().length() <= BuildOutcome.MAX_REASON_CHARS);
        assertTrue(read(log).contains("main.jsx"));
        assertTrue(read(log).contains("==> build failed: npm run build exited with status 1"));
    }

    @Test
    void aBuildOverTheTimeLimitIsKilledWithItsWholeProcessTree(@TempDir Path dir) throws Exception {
        assumeTrue(cold.succeeded());
        String marker = "setTimeout(()=>{},60000)";
        LocalBuildRunner limited = new LocalBuildRunner(cacheRoot, Duration.ofSeconds(3));
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        BuildSettings settings = new BuildSettings(null, null, "node -e \"" + marker + "\"", null, null);
        long t = System.nanoTime();
        CompletableFuture<BuildOutcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return limited.build(new BuildJob(source, settings, ENV, dir.resolve("slow.log")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        boolean seen = false;
        while (!running.isDone() && !seen) {
            seen = processesWith(marker).findAny().isPresent();
            Thread.sleep(50);
        }
        BuildOutcome out = running.get();
        long millis = (System.nanoTime() - t) / 1_000_000;

        assertTrue(seen, "the slow build was running");
        assertFalse(out.succeeded());
        assertTrue(out.failureReason().startsWith("build exceeded the time limit of 3 s"), out.failureReason());
        assertTrue(millis < 15_000, millis + " ms");
        assertEquals(0, processesWith(marker).count(), "no build process is left behind");
    }

    @Test
    void aBuildCannotChangeTheCachedDependencies(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path entry = cacheRoot.resolve("deps/local").resolve(cold.lockfileHash()).resolve("node_modules");
        String react = Files.readString(entry.resolve("react/index.js"));
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        // what a hostile install script or build does: rewrite a dependency in place, add a file, remove one
        Files.writeString(source.resolve("poison.cjs"), """
                const fs = require('fs');
                const tries = {
                  rewrite: () => fs.writeFileSync('node_modules/react/index.js', 'module.exports = "poisoned"'),
                  add: () => fs.writeFileSync('node_modules/react/extra.js', 'x'),
                  remove: () => fs.unlinkSync('node_modules/react/package.json'),
                  chmod: () => fs.chmodSync('node_modules/react/index.js', 0o777),
                };
                const result = {};
                for (const [name, f] of Object.entries(tries)) {
                  try { f(); result[name] = 'done'; } catch (e) { result[name] = e.code; }
                }
                fs.mkdirSync('dist', { recursive: true });
                fs.writeFileSync('dist/index.html', JSON.stringify(result));
                """);
        BuildOutcome out = runner.build(new BuildJob(source, new BuildSettings(null, null, "node poison.cjs", null, null),
                ENV, dir.resolve("poison.log")));
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + read(dir.resolve("poison.log")));
        assertTrue(out.dependencyCacheHit());
        assertEquals("{\"rewrite\":\"EROFS\",\"add\":\"EROFS\",\"remove\":\"EROFS\",\"chmod\":\"EROFS\"}",
                Files.readString(out.outputDir().resolve("index.html")));
        assertEquals(react, Files.readString(entry.resolve("react/index.js")));
        assertFalse(Files.exists(entry.resolve("react/extra.js")));
        assertTrue(Files.exists(entry.resolve("react/package.json")));
        // and the next build of the same lockfile gets the genuine package
        Path next = ViteFixture.copyTo(Files.createDirectories(dir.resolve("next")));
        BuildOutcome again = runner.build(new BuildJob(next, BuildSettings.NONE, ENV, dir.resolve("next.log")));
        assertTrue(again.succeeded() && again.dependencyCacheHit(), again.failureReason());
        assertFalse(Files.readString(firstBundle(again.outputDir())).contains("poisoned"));
    }

    /** Tools' scratch folders inside cached node_modules are writable per build (Nitro writes .nitro, babel .cache). */
    @Test
    void toolsWriteTheirScratchFoldersOnACacheHit(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        Files.writeString(source.resolve("scratch.cjs"), """
                const fs = require('fs');
                const result = {};
                for (const d of %s) {
                  try {
                    fs.mkdirSync('node_modules/' + d + '/vite/services/ssr', { recursive: true });
                    fs.writeFileSync('node_modules/' + d + '/vite/services/ssr/index.mjs', 'x');
                    result[d] = 'written';
                  } catch (e) { result[d] = e.code; }
                }
                fs.mkdirSync('dist', { recursive: true });
                fs.writeFileSync('dist/index.html', JSON.stringify(result));
                """.formatted(DependencyCache.NOT_CACHED.stream().sorted().map(d -> "'" + d + "'").toList()));
        BuildOutcome out = runner.build(new BuildJob(source, new BuildSettings(null, null, "node scratch.cjs", null, null),
                ENV, dir.resolve("scratch.log")));
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + read(dir.resolve("scratch.log")));
        assertTrue(out.dependencyCacheHit());
        String written = Files.readString(out.outputDir().resolve("index.html"));
        for (String d : List.of(".cache", ".vite", ".vite-temp", ".nitro")) {
            assertTrue(written.contains("\"" + d + "\":\"written\""), written);
        }
        Path entry = cacheRoot.resolve("deps/local").resolve(out.lockfileHash()).resolve("node_modules");
        try (Stream<Path> inside = Files.list(entry.resolve(".nitro"))) {
            assertEquals(0, inside.count(), "the cache entry stays as it was published");
        }
    }

    @Test
    void cachesAreNotSharedAcrossAppsOrScopes(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        BuildOutcome other = runner.build(new BuildJob(source, BuildSettings.NONE, ENV, dir.resolve("other.log"),
                "other-app/preview"));
        assertTrue(other.succeeded(), other.failureReason());
        assertFalse(other.dependencyCacheHit(), "another app's cache entry of the same lockfile is not used");
        assertTrue(Files.isDirectory(cacheRoot.resolve("deps/other-app/preview").resolve(other.lockfileHash())));
        assertTrue(Files.isDirectory(cacheRoot.resolve("packages/other-app/preview/npm-cache")));
    }

    @Test
    void aSymlinkOutOfTheOutputDirIsRefused(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        for (String link : List.of("/etc/hostname", "../package.json")) {
            Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app" + link.length())));
            BuildSettings settings = new BuildSettings(null, null,
                    "mkdir -p dist && echo '<p>hi</p>' > dist/index.html && ln -s " + link + " dist/leak.txt", null, null);
            BuildOutcome out = runner.build(new BuildJob(source, settings, ENV, dir.resolve("leak.log")));
            assertFalse(out.succeeded(), link);
            assertEquals("build output rejected: dist/leak.txt is a symlink pointing outside the output dir",
                    out.failureReason());
        }
    }

    @Test
    void aSymlinkToAFileInsideTheOutputIsReplacedByACopy(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        BuildSettings settings = new BuildSettings(null, null,
                "mkdir -p dist && echo '<p>hi</p>' > dist/index.html && ln -s index.html dist/alias.html", null, null);
        BuildOutcome out = runner.build(new BuildJob(source, settings, ENV, dir.resolve("alias.log")));
        assertTrue(out.succeeded(), out.failureReason());
        Path alias = out.outputDir().resolve("alias.html");
        assertFalse(Files.isSymbolicLink(alias));
        assertEquals("<p>hi</p>\n", Files.readString(alias));
    }

    @Test
    void emptyOrMisplacedOutputFails(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        Path log = dir.resolve("out.log");
        BuildOutcome empty = runner.build(new BuildJob(source,
                new BuildSettings(null, null, "mkdir -p dist/assets", null, null), ENV, log));
        assertEquals("the build produced no files in 'dist'", empty.failureReason());
        BuildOutcome none = runner.build(new BuildJob(source,
                new BuildSettings(null, null, "true", "build", null), ENV, log));
        assertEquals("the build produced no output dir 'build'", none.failureReason());
        BuildOutcome vercel = runner.build(new BuildJob(source,
                new BuildSettings(null, null, "mkdir -p .vercel/output/static && echo '{}' > .vercel/output/config.json", "dist", null),
                ENV, log));
        assertEquals("the build produced no output dir 'dist'" + OutputDirectory.VERCEL_HINT, vercel.failureReason());
        for (String bad : List.of("../dist", "/tmp/dist", "a/../../dist", ".")) {
            BuildOutcome out = runner.build(new BuildJob(source, new BuildSettings(null, null, null, bad, null), ENV, log));
            assertFalse(out.succeeded(), bad);
            assertTrue(out.failureReason().startsWith("output dir '" + bad + "'"), out.failureReason());
        }
    }

    @Test
    void theBuildSeesOnlyTheAppEnvironmentAndALocalHome(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        String token = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
        BuildSettings settings = new BuildSettings(null, null,
                "echo \"secret is $API_SECRET, token " + token + "\" && mkdir -p dist && env > dist/env.txt", null, null);
        Path log = dir.resolve("env.log");
        BuildOutcome out = runner.build(new BuildJob(source, settings, ENV, log));
        assertTrue(out.succeeded(), out.failureReason());

        Map<String, String> env = parseEnv(Files.readString(out.outputDir().resolve("env.txt")));
        assertEquals("true", env.get("CI"));
        assertEquals("node-server", env.get("NITRO_PRESET"), "Nitro builds a server node can run");
        assertEquals(SECRET, env.get("API_SECRET"));
        assertEquals(GREETING, env.get("VITE_GREETING"));
        assertEquals(System.getenv("PATH"), env.get("PATH"));
        assertEquals("/build/home", env.get("HOME"), "the sandbox's own home");
        assertEquals("/build/caches/npm-cache", env.get("npm_config_cache"));
        assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("AWS_") || k.startsWith("SLIPWAY_")), env.keySet()::toString);
        for (String inherited : System.getenv().keySet()) {
            if (!LocalBuildRunner.PASSED_THROUGH.contains(inherited) && !LocalBuildRunner.PROXIES.contains(inherited)
                    && !ENV.containsKey(inherited) && !inherited.equals("HOME") && !inherited.equals("CI")) {
                assertFalse(env.containsKey(inherited) && env.get(inherited).equals(System.getenv(inherited)),
                        inherited + " was inherited");
            }
        }
        try (Stream<Path> work = Files.list(cacheRoot.resolve("work"))) {
            assertEquals(0, work.count(), "the per-build home and tmp are removed afterwards");
        }

        String text = read(log);
        assertTrue(text.contains("secret is [redacted:API_SECRET], token ghp_"), text);
        assertFalse(text.contains(SECRET));
        assertFalse(text.contains(token));
    }

    @Test
    void aLockfileNamingAnotherRegistryStillInstallsFromTheConfiguredOne(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")),
                "package-lock.json", "https://registry.npmjs.org/", "https://registry.example.invalid/");
        assertTrue(Files.readString(source.resolve("package-lock.json")).contains("registry.example.invalid"));
        // a fresh cache root: nothing can come from the npm cache filled by the cold build
        LocalBuildRunner fresh = new LocalBuildRunner(dir.resolve("cache"), LIMIT);
        Path log = dir.resolve("foreign.log");
        BuildOutcome out = fresh.build(new BuildJob(source, BuildSettings.NONE, ENV, log));
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + read(log));
        assertFalse(out.dependencyCacheHit());
        assertTrue(Files.readString(firstBundle(out.outputDir())).contains(GREETING));
    }

    @Test
    void withoutALockfileItRunsNpmInstallAndSaysSo(@TempDir Path dir) throws IOException {
        assumeTrue(cold.succeeded());
        Path source = ViteFixture.copyTo(Files.createDirectories(dir.resolve("app")));
        Files.delete(source.resolve("package-lock.json"));
        Path log = dir.resolve("nolock.log");
        BuildOutcome out = runner.build(new BuildJob(source, BuildSettings.NONE, ENV, log));
        assertTrue(out.succeeded(), () -> out.failureReason() + "\n" + read(log));
        assertNull(out.lockfileHash());
        assertFalse(out.dependencyCacheHit());
        assertTrue(read(log).contains("==> no lockfile found: running `npm install"), read(log));
    }

    // --- helpers

    static Stream<ProcessHandle> processesWith(String marker) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }

    static Path firstBundle(Path dist) throws IOException {
        return list(dist.resolve("assets")).stream()
                .filter(p -> HASHED_ASSET.matcher(p.getFileName().toString()).matches()).findFirst().orElseThrow();
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    static Map<String, String> parseEnv(String text) {
        Map<String, String> env = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, name)));
    }
}
