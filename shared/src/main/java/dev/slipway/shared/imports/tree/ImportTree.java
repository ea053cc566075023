package dev.slipway.shared.imports.tree;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outcome of a safe import: a temporary folder holding exactly the files to commit, plus what
 * was taken out. Owns its work folder: {@link #close()} deletes it.
 */
public final class ImportTree implements AutoCloseable {
    private final Path workDir;
    private final Path root;
    private final List<ImportFile> files;
    private final Map<String, byte[]> envFiles;
    private final List<String> skipped;
    private final String strippedPrefix;
    private final long inflatedBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    ImportTree(Path workDir, Path root, List<ImportFile> files, Map<String, byte[]> envFiles,
               List<String> skipped, String strippedPrefix, long inflatedBytes) {
        this.workDir = workDir;
        this.root = root;
        this.files = List.copyOf(files);
        this.envFiles = Collections.unmodifiableMap(envFiles);
        this.skipped = List.copyOf(skipped);
        this.strippedPrefix = strippedPrefix;
        this.inflatedBytes = inflatedBytes;
    }

    /** Folder holding exactly the files to commit (prefix stripped, left-out entries filtered). */
    public Path root() {
        return root;
    }

    /** Every file under {@link #root()}, sorted by path (String order). */
    public List<ImportFile> files() {
        return files;
    }

    /**
     * The {@code .env*} files taken out of the tree: path relative to the stripped root → content,
     * sorted by path. They are not under {@link #root()}. The arrays are the tree's own: do not change them.
     */
    public Map<String, byte[]> envFiles() {
        return envFiles;
    }

    /** What was left out, for people: e.g. {@code node_modules/ (312 entries)}, {@code .DS_Store (2)}. */
    public List<String> skipped() {
        return skipped;
    }

    /** The single top-level folder that was stripped, with its slash (e.g. {@code project/}), or "". */
    public String strippedPrefix() {
        return strippedPrefix;
    }

    /** Bytes actually inflated or read, whatever the archive declared. */
    public long inflatedBytes() {
        return inflatedBytes;
    }

    /** Deletes the whole work folder. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            deleteTree(workDir);
        }
    }

    /** Deletes a folder and everything in it without following links; best effort, never throws. */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    deleteQuietly(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort: the folder is under a temp parent the platform cleans anyway
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | RuntimeException ignored) {
            // keep going: delete as much as possible
        }
    }
}
