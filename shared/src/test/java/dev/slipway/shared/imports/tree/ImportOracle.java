package dev.slipway.shared.imports.tree;

import dev.slipway.shared.http.ProblemTable;
import dev.slipway.shared.errors.DomainException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What must hold for any bytes given to {@link ZipImport#extract}: either a tree whose files all
 * lie inside its root within the limits, or a 4xx {@link DomainException}; nothing else (other
 * exceptions and errors propagate and fail the caller), nothing written outside the temp parent,
 * and the temp parent empty once the tree is closed.
 */
final class ImportOracle {
    private ImportOracle() {
    }

    /** Returns true when the bytes were accepted, false when rejected with a 4xx problem. */
    static boolean check(byte[] data, ImportLimits limits) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("slipway-oracle-");
            Path zip = Files.write(dir.resolve("in.zip"), data);
            Path parent = Files.createDirectory(dir.resolve("parent"));
            boolean accepted;
            try (ImportTree tree = ZipImport.extract(zip, parent, limits)) {
                checkTree(tree, parent, limits);
                accepted = true;
            } catch (DomainException e) {
                int status = ProblemTable.typeOf(e.error()).status();
                if (status < 400 || status >= 500) {
                    throw new AssertionError("not a 4xx problem: " + e.error() + " " + e.detail());
                }
                if (!e.error().name().startsWith("ARCHIVE_")) {
                    throw new AssertionError("not an archive problem: " + e.error());
                }
                accepted = false;
            }
            try (Stream<Path> s = Files.list(parent)) {
                List<Path> left = s.toList();
                if (!left.isEmpty()) {
                    throw new AssertionError("temp parent not empty: " + left);
                }
            }
            try (Stream<Path> s = Files.list(dir)) {
                Set<Path> present = Set.copyOf(s.toList());
                if (!present.equals(Set.of(zip, parent))) {
                    throw new AssertionError("something was written next to the temp parent: " + present);
                }
            }
            return accepted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ImportTree.deleteTree(dir);
        }
    }

    private static void checkTree(ImportTree tree, Path parent, ImportLimits limits) throws IOException {
        Path root = tree.root();
        if (!root.normalize().startsWith(parent) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new AssertionError("root outside the temp parent: " + root);
        }
        if (tree.files().isEmpty()) {
            throw new AssertionError("an accepted tree has no files");
        }
        long total = 0;
        Set<String> listed = new HashSet<>();
        String previous = null;
        for (ImportFile f : tree.files()) {
            Path p = root.resolve(f.path()).normalize();
            if (!p.startsWith(root) || p.equals(root)) {
                throw new AssertionError("file escapes the root: " + f.path());
            }
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new AssertionError("listed file missing or not regular: " + f.path());
            }
            if (Files.size(p) != f.size() || f.size() > limits.maxFileBytes()) {
                throw new AssertionError("bad size for " + f.path() + ": " + f.size());
            }
            if (previous != null && previous.compareTo(f.path()) >= 0) {
                throw new AssertionError("files() not sorted/unique at " + f.path());
            }
            previous = f.path();
            total += f.size();
            listed.add(f.path());
        }
        for (byte[] env : tree.envFiles().values()) {
            total += env.length;
        }
        if (total > limits.maxTotalBytes() || tree.inflatedBytes() > limits.maxTotalBytes() || total > tree.inflatedBytes()) {
            throw new AssertionError("sizes over the limits: " + total + " / " + tree.inflatedBytes());
        }
        try (Stream<Path> s = Files.walk(parent)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isSymbolicLink(p)) {
                    throw new AssertionError("symlink written: " + p);
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && (!p.startsWith(root) || !listed.contains(root.relativize(p).toString().replace('\\', '/')))) {
                    throw new AssertionError("unlisted file written: " + p);
                }
            }
        }
    }
}
