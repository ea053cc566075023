package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The collector on its own, as a git-tree import will drive it: entries stream in, names decided at finish. */
class TreeCollectorTest {
    @TempDir
    Path parent;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void streamingDecidesStripAndRootFiltersInFinish() throws IOException {
        ImportTree tree;
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addDirectory("project");
            c.addFile("project/index.js", false, text("console.log(1)"));
            c.addFile("project/dist/app.js", false, text("built"));
            c.addSymlink("project/dist/latest"); // may be left out: decided in finish
            c.addFile("project/build/x", false, text("built"));
            c.addFile("project/.env", false, text("SECRET=1"));
            c.addFile("project/bin/run", true, text("#!/bin/sh"));
            c.addFile("project/node_modules/a/index.js", false, new ThrowingStream()); // never read
            try (Stream<Path> s = Files.list(parent)) {
                assertEquals(1, s.count(), "one work folder while collecting");
            }
            tree = c.finish();
        }
        try (tree) {
            assertEquals("project/", tree.strippedPrefix());
            assertEquals(List.of(new ImportFile("bin/run", 9, true), new ImportFile("index.js", 14, false)), tree.files());
            assertEquals(List.of(".env"), List.copyOf(tree.envFiles().keySet()));
            assertEquals(List.of("node_modules/ (1 entry)", "dist/ (2 entries)", "build/ (1 entry)"), tree.skipped());
            assertEquals("console.log(1)", Files.readString(tree.root().resolve("index.js")));
            assertTrue(Files.notExists(tree.root().resolve("dist")));
            // dist/ and build/ were read before the strip was known: counted, then deleted
            assertEquals(14 + 5 + 5 + 8 + 9, tree.inflatedBytes());
            assertEquals(Set.of("bin/run", "index.js"), ZipImportTest.filesUnder(tree.root()));
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void symlinkOutsideLeftOutFoldersIsRejectedAtOnce() throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addFile("a.txt", false, text("a"));
            DomainException e = assertThrows(DomainException.class, () -> c.addSymlink("src/link"));
            assertEquals(DomainError.ARCHIVE_SYMLINK, e.error());
            assertThrows(IllegalStateException.class, () -> c.addFile("b.txt", false, text("b")));
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void deferredSymlinkIsRejectedWhenItsFolderIsKept() throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addFile("a/x.txt", false, text("a"));
            c.addSymlink("a/dist/link"); // a/ might be stripped, making dist/ a root folder
            c.addFile("b/y.txt", false, text("b")); // ... it is not
            DomainException e = assertThrows(DomainException.class, c::finish);
            assertEquals(DomainError.ARCHIVE_SYMLINK, e.error());
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void specialFilesAndSymlinksInLeftOutFoldersAreSkipped() throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addSymlink("node_modules/.bin/vite");
            c.addSpecial(".git/fsmonitor--daemon.ipc");
            c.addFile("index.html", false, text("<html>"));
            DomainException e = assertThrows(DomainException.class, () -> c.addSpecial("run/socket"));
            assertEquals(DomainError.ARCHIVE_SPECIAL_FILE, e.error());
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void bytesAreCountedAsReadAndReadingStopsAtTheLimit() throws IOException {
        ImportLimits limits = new ImportLimits(10, 10L << 20, 1L << 20, 100);
        InfiniteZeros endless = new InfiniteZeros();
        try (TreeCollector c = new TreeCollector(parent, limits)) {
            DomainException e = assertThrows(DomainException.class, () -> c.addFile("bomb.bin", false, endless));
            assertEquals(DomainError.ARCHIVE_FILE_TOO_LARGE, e.error());
        }
        assertTrue(endless.served <= (1L << 20) + 64 * 1024, "bounded work: " + endless.served);
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void readErrorsAreCorruptArchives() throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            DomainException e = assertThrows(DomainException.class, () -> c.addFile("x", false, new ThrowingStream()));
            assertEquals(DomainError.ARCHIVE_CORRUPT, e.error());
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void collisionsAreFoundAcrossEnvFilesAndFolders() throws IOException {
        assertFinishFails(DomainError.ARCHIVE_CASE_COLLISION, c -> {
            c.addFile(".env", false, text("A=1"));
            c.addFile(".ENV", false, text("A=2"));
        });
        assertFinishFails(DomainError.ARCHIVE_FILE_DIRECTORY_CONFLICT, c -> {
            c.addFile("a/b", false, text("1"));
            c.addFile("a", false, text("2"));
        });
        assertFinishFails(DomainError.ARCHIVE_UNICODE_COLLISION, c -> {
            c.addFile("\u00c5/x", false, text("1")); // Å precomposed
            c.addFile("A\u030a/y", false, text("2")); // A + combining ring
        });
        assertFinishFails(DomainError.ARCHIVE_EMPTY, c -> c.addFile(".env", false, text("A=1")));
        // folders may repeat; a file may not
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addDirectory("src/");
            c.addDirectory("src");
            c.addFile("src/a", false, text(""));
            try (ImportTree t = c.finish()) {
                assertEquals(List.of(new ImportFile("a", 0, false)), t.files());
                assertEquals("src/", t.strippedPrefix());
            }
        }
    }

    @Test
    void everyEntryCountsTowardsTheLimitEvenLeftOutOnes() throws IOException {
        ImportLimits limits = new ImportLimits(3, 1000, 1000, 100);
        try (TreeCollector c = new TreeCollector(parent, limits)) {
            c.addDirectory("node_modules/");
            c.addFile(".DS_Store", false, text("x"));
            c.addFile("a", false, text("x"));
            DomainException e = assertThrows(DomainException.class, () -> c.addDirectory("b/"));
            assertEquals(DomainError.ARCHIVE_TOO_MANY_ENTRIES, e.error());
        }
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void finishPassesOwnershipAndCloseIsIdempotent() throws IOException {
        TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT);
        c.addFile("a.txt", false, text("a"));
        ImportTree tree = c.finish();
        c.close();
        c.close();
        assertTrue(Files.isRegularFile(tree.root().resolve("a.txt")));
        assertThrows(IllegalStateException.class, c::finish);
        tree.close();
        ZipImportTest.assertEmpty(parent);

        TreeCollector abandoned = new TreeCollector(parent, ImportLimits.DEFAULT);
        abandoned.addFile("b.txt", false, text("b"));
        abandoned.close();
        ZipImportTest.assertEmpty(parent);
    }

    @Test
    void fileNamesNeverTouchTheDiskBeforeFinish() throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            c.addFile("README.md", false, text("1"));
            c.addFile("readme.md", false, text("2")); // would clash on a case-insensitive disk
            try (Stream<Path> s = Files.walk(parent)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().equalsIgnoreCase("readme.md")));
            }
            assertEquals(DomainError.ARCHIVE_CASE_COLLISION, assertThrows(DomainException.class, c::finish).error());
        }
        ZipImportTest.assertEmpty(parent);
    }

    private interface Feed {
        void into(TreeCollector c);
    }

    private void assertFinishFails(DomainError expected, Feed feed) throws IOException {
        try (TreeCollector c = new TreeCollector(parent, ImportLimits.DEFAULT)) {
            feed.into(c);
            DomainException e = assertThrows(DomainException.class, c::finish);
            assertEquals(expected, e.error(), e.detail());
        }
        ZipImportTest.assertEmpty(parent);
    }

    private static final class InfiniteZeros extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            served += len;
            return len;
        }
    }

    private static final class ThrowingStream extends InputStream {
        @Override
        public int read() throws IOException {
            throw new IOException("boom");
        }
    }
}
