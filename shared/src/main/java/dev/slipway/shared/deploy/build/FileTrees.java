package dev.slipway.shared.deploy.build;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/** Tree helpers that never follow symlinks. */
final class FileTrees {
    private FileTrees() {
    }

    /**
     * Copies the tree {@code src} to {@code dst} (which must not exist) with hard links where the file system
     * allows them (plain copies otherwise). Symlinks are recreated with the same target text, except that an
     * absolute target inside {@code src} is rebased into {@code dst}. Hard links keep the executable bits;
     * relative symlinks such as {@code node_modules/.bin/vite -> ../vite/bin/vite.js} keep working.
     * Top-level directories named in {@code skipTopLevel} are left out. Returns the number of files.
     */
    static long linkCopy(Path src, Path dst, Set<String> skipTopLevel) throws IOException {
        return copyTree(src, dst, skipTopLevel, true);
    }

    /** {@link #linkCopy} with every file's bytes copied: the copy shares nothing with {@code src}. */
    static long copy(Path src, Path dst, Set<String> skipTopLevel) throws IOException {
        return copyTree(src, dst, skipTopLevel, false);
    }

    private static long copyTree(Path src, Path dst, Set<String> skipTopLevel, boolean hardLinks) throws IOException {
        long[] files = {0};
        boolean[] linksWork = {hardLinks};
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = src.relativize(dir);
                if (rel.getNameCount() == 1 && skipTopLevel.contains(rel.toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectory(dst.resolve(rel.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = dst.resolve(src.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Path link = Files.readSymbolicLink(file);
                    if (link.isAbsolute() && link.normalize().startsWith(src)) {
                        link = dst.resolve(src.relativize(link.normalize()).toString());
                    }
                    Files.createSymbolicLink(target, link);
                } else if (attrs.isRegularFile()) {
                    if (linksWork[0]) {
                        try {
                            Files.createLink(target, file);
                            files[0]++;
                            return FileVisitResult.CONTINUE;
                        } catch (UnsupportedOperationException | FileSystemException e) {
                            if (e instanceof NoSuchFileException) {
                                throw (NoSuchFileException) e;
                            }
                            linksWork[0] = false;
                        }
                    }
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                files[0]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return files[0];
    }

    /** Deletes {@code root} and everything under it; a symlink is deleted, never followed. Missing is fine. */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #delete} that swallows errors (best-effort cleanup). */
    static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
