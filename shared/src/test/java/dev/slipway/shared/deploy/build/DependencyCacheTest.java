package dev.slipway.shared.deploy.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DependencyCacheTest {

    /** A small node_modules: a package with an executable bin, a relative .bin symlink, and a tool cache. */
    static Path fakeNodeModules(Path dir) throws Exception {
        Path nm = dir.resolve("node_modules");
        Files.createDirectories(nm.resolve("tool/bin"));
        Files.createDirectories(nm.resolve(".bin"));
        Files.createDirectories(nm.resolve(".vite/deps"));
        Path bin = nm.resolve("tool/bin/tool.js");
        Files.writeString(bin, "#!/usr/bin/env node\nconsole.log('tool')\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(nm.resolve("tool/package.json"), "{\"name\":\"tool\"}");
        Files.createSymbolicLink(nm.resolve(".bin/tool"), Path.of("../tool/bin/tool.js"));
        Files.writeString(nm.resolve(".vite/deps/x.js"), "cache");
        return nm;
    }

    @Test
    void restoreKeepsExecutableBitsAndRelativeBinLinksButNotToolCaches(@TempDir Path dir) throws Exception {
        DependencyCache cache = new DependencyCache(dir.resolve("deps"), 5);
        Path nm = fakeNodeModules(Files.createDirectories(dir.resolve("a")));
        assertTrue(cache.store("k1", nm));
        Path restored = dir.resolve("b/node_modules");
        Files.createDirectories(restored.getParent());
        assertTrue(cache.restoreCopy("k1", restored));
        assertTrue(Files.isExecutable(restored.resolve(".bin/tool")));
        assertEquals(Path.of("../tool/bin/tool.js"), Files.readSymbolicLink(restored.resolve(".bin/tool")));
        assertEquals(restored.resolve("tool/bin/tool.js").toRealPath(), restored.resolve(".bin/tool").toRealPath());
        assertFalse(Files.exists(restored.resolve(".vite")));
        assertFalse(cache.restoreCopy("other", dir.resolve("c/node_modules")));
        // a byte copy: what a build writes into its node_modules never reaches the entry
        Files.writeString(restored.resolve("tool/package.json"), "poisoned");
        assertEquals("{\"name\":\"tool\"}", Files.readString(cache.entry("k1").resolve("tool/package.json")));
    }

    @Test
    void anEntryCarriesEmptyMountPointsForToolScratchFolders(@TempDir Path dir) throws Exception {
        DependencyCache cache = new DependencyCache(dir.resolve("deps"), 5);
        Path nm = fakeNodeModules(Files.createDirectories(dir.resolve("a")));
        assertTrue(cache.store("k1", nm));
        Path entry = cache.entry("k1");
        for (String scratch : DependencyCache.NOT_CACHED) {
            try (var inside = Files.list(entry.resolve(scratch))) {
                assertEquals(0, inside.count(), scratch);
            }
        }
        assertEquals(null, cache.entry("absent"));
    }

    @Test
    void concurrentStoresOfOneKeyPublishExactlyOneCompleteEntry(@TempDir Path dir) throws Exception {
        DependencyCache cache = new DependencyCache(dir.resolve("deps"), 5);
        int n = 4;
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sources.add(fakeNodeModules(Files.createDirectories(dir.resolve("src" + i))));
        }
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (Path src : sources) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache.store("same", src);
                }));
            }
            int published = 0;
            for (Future<Boolean> r : results) {
                published += r.get() ? 1 : 0;
            }
            assertEquals(1, published);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("same"), cache.keys());
        try (var leftovers = Files.list(dir.resolve("deps"))) {
            assertEquals(1, leftovers.count(), "no temp folders left behind");
        }
        Path restored = dir.resolve("r/node_modules");
        Files.createDirectories(restored.getParent());
        assertTrue(cache.restoreCopy("same", restored));
        assertEquals("{\"name\":\"tool\"}", Files.readString(restored.resolve("tool/package.json")));
    }

    @Test
    void keepsTheMostRecentlyUsedEntries(@TempDir Path dir) throws Exception {
        DependencyCache cache = new DependencyCache(dir.resolve("deps"), 2);
        Path nm = fakeNodeModules(Files.createDirectories(dir.resolve("a")));
        cache.store("old", nm);
        cache.store("used", nm);
        Files.setLastModifiedTime(dir.resolve("deps/old"), FileTime.from(Instant.now().minusSeconds(300)));
        Files.setLastModifiedTime(dir.resolve("deps/used"), FileTime.from(Instant.now().minusSeconds(600)));
        Path restored = dir.resolve("b/node_modules");
        Files.createDirectories(restored.getParent());
        assertTrue(cache.restoreCopy("used", restored)); // touches "used": now the most recent
        cache.store("new", nm);
        assertEquals(Set.of("used", "new"), Set.copyOf(cache.keys()));
    }

    @Test
    void theKeyCoversPackageJsonAndRegistrySettingsBesidesTheLockfile(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\":3}");
        Files.writeString(dir.resolve("package.json"), "{\"scripts\":{\"build\":\"vite build\"}}");
        String plain = LocalBuildRunner.cacheKey(lock, PackageManager.NPM, 20, null);
        assertEquals(plain, LocalBuildRunner.cacheKey(lock, PackageManager.NPM, 20, null), "stable");
        Files.writeString(dir.resolve("package.json"), "{\"scripts\":{\"build\":\"vite build\",\"postinstall\":\"node x.js\"}}");
        String withScript = LocalBuildRunner.cacheKey(lock, PackageManager.NPM, 20, null);
        assertFalse(plain.equals(withScript), "an install script of its own is another install");
        Files.writeString(dir.resolve(".npmrc"), "registry=https://registry.example.invalid/\n");
        assertFalse(withScript.equals(LocalBuildRunner.cacheKey(lock, PackageManager.NPM, 20, null)), ".npmrc counts");
    }
}
