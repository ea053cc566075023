package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.build.sandbox.Bubblewrap;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Ready {@code node_modules} trees, one per cache key, under {@code <root>/<key>/node_modules}.
 *
 * <ul>
 *   <li><b>Use</b>: a sandboxed build mounts the entry read-only ({@link #entry}; nothing copied, readers never
 *       lock: an entry is immutable once published); an unsandboxed one gets a byte copy.</li>
 *   <li><b>Store</b> hard-link-copies a freshly installed {@code node_modules} (its install has ended, with every
 *       process of its sandbox) into {@code <root>/.tmp-<uuid>} and
 *       publishes it with one atomic rename to {@code <root>/<key>}. When a concurrent build published the same
 *       key first, the rename fails and this copy is dropped: an entry is always complete.</li>
 *   <li><b>Eviction</b> keeps the {@code maxEntries} most recently used entries (use = the entry directory's
 *       mtime, touched on every hit): older ones are first renamed to {@code .trash-<uuid>} (atomic), then
 *       deleted. A restore racing an eviction sees files vanish and falls back to a real install.</li>
 * </ul>
 * Entries are never handed to a build writable: a sandboxed build gets {@link #entry} bound read-only over its
 * {@code node_modules} (its tools' scratch folders, {@link #NOT_CACHED}, are empty mount points in the entry);
 * an unsandboxed one gets a byte copy ({@link #restoreCopy}). One cache per app and scope
 * ({@code BuildJob.cacheNamespace}), so what one app's install scripts left can only reach that app's builds.
 */
final class DependencyCache {
    /** Tool caches that live inside node_modules and are not part of the installed dependencies. */
    static final Set<String> NOT_CACHED = Set.copyOf(Bubblewrap.NODE_MODULES_SCRATCH);
    private static final Duration STALE_TEMP = Duration.ofHours(6);

    private final Path root;
    private final int maxEntries;

    DependencyCache(Path root, int maxEntries) {
        this.root = root;
        this.maxEntries = Math.max(1, maxEntries);
    }

    /** The entry's {@code node_modules} for {@code key} (marked used), or null on a miss. Never to be written. */
    Path entry(String key) {
        Path entry = root.resolve(key);
        Path cached = entry.resolve("node_modules");
        if (!Files.isDirectory(cached)) {
            return null;
        }
        touch(entry);
        return cached;
    }

    /**
     * Copies the entry for {@code key} byte for byte to {@code nodeModules} (which must not exist). False on a
     * miss, or when the entry vanished mid-copy (then nothing is left at {@code nodeModules}).
     */
    boolean restoreCopy(String key, Path nodeModules) throws IOException {
        Path entry = root.resolve(key);
        Path cached = entry.resolve("node_modules");
        if (!Files.isDirectory(cached)) {
            return false;
        }
        try {
            FileTrees.copy(cached, nodeModules, NOT_CACHED);
        } catch (NoSuchFileException e) {
            FileTrees.delete(nodeModules);
            return false;
        }
        touch(entry);
        return true;
    }

    /** Publishes {@code nodeModules} under {@code key} unless an entry exists; then evicts. False if it existed. */
    boolean store(String key, Path nodeModules) throws IOException {
        Files.createDirectories(root);
        Path entry = root.resolve(key);
        if (Files.isDirectory(entry)) {
            touch(entry);
            return false;
        }
        Path tmp = root.resolve(".tmp-" + UUID.randomUUID());
        boolean published = false;
        try {
            Files.createDirectory(tmp);
            FileTrees.linkCopy(nodeModules, tmp.resolve("node_modules"), NOT_CACHED);
            for (String scratch : NOT_CACHED) {
                Files.createDirectories(tmp.resolve("node_modules").resolve(scratch)); // mount points, see above
            }
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
                published = true;
                touch(entry);
            } catch (AtomicMoveNotSupportedException e) {
                throw e;
            } catch (FileSystemException e) {
                if (!Files.isDirectory(entry)) {
                    throw e;
                }
                // lost the race to a concurrent build with the same key: its entry is as good as ours
            }
        } finally {
            if (!published) {
                FileTrees.deleteQuietly(tmp);
            }
        }
        evict();
        return published;
    }

    private static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // an entry evicted meanwhile: nothing to touch
        }
    }

    /** Drops all but the {@code maxEntries} most recently used entries, and stale temp/trash folders. */
    void evict() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        Instant staleBefore = Instant.now().minus(STALE_TEMP);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path p : dirs) {
                String name = p.getFileName().toString();
                if (name.startsWith(".trash-") || (name.startsWith(".tmp-") && modified(p).isBefore(staleBefore))) {
                    FileTrees.deleteQuietly(p);
                } else if (!name.startsWith(".") && Files.isDirectory(p)) {
                    entries.add(p);
                }
            }
        }
        if (entries.size() <= maxEntries) {
            return;
        }
        entries.sort(Comparator.comparing(DependencyCache::modified).reversed());
        for (Path old : entries.subList(maxEntries, entries.size())) {
            Path trash = root.resolve(".trash-" + UUID.randomUUID());
            try {
                Files.move(old, trash, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                continue; // evicted by someone else
            }
            FileTrees.deleteQuietly(trash);
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** Entry keys present now (for tests and diagnostics). */
    List<String> keys() throws IOException {
        List<String> keys = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path p : dirs) {
                    String name = p.getFileName().toString();
                    if (!name.startsWith(".")) {
                        keys.add(name);
                    }
                }
            }
        }
        return keys;
    }
}
