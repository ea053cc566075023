package dev.slipway.shared.imports.tree;

import dev.slipway.shared.http.ProblemTable;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.slipway.shared.imports.tree.HostileArchives.Entry;
import static dev.slipway.shared.imports.tree.HostileArchives.MODE_FILE;
import static dev.slipway.shared.imports.tree.HostileArchives.MODE_SYMLINK;
import static dev.slipway.shared.imports.tree.HostileArchives.ZIP_DEFLATED;
import static dev.slipway.shared.imports.tree.HostileArchives.bytes;
import static dev.slipway.shared.imports.tree.HostileArchives.dir;
import static dev.slipway.shared.imports.tree.HostileArchives.entry;
import static dev.slipway.shared.imports.tree.HostileArchives.file;
import static dev.slipway.shared.imports.tree.HostileArchives.zip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZipImportTest {
    @TempDir
    Path tmp;

    static List<HostileArchives.Case> hostile() {
        return HostileArchives.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileArchiveGetsItsProblemAndLeavesNothingBehind(HostileArchives.Case c) throws IOException {
        Path zip = write("in.zip", c.zip());
        Path parent = Files.createDirectory(tmp.resolve("parent"));

        DomainException e = assertThrows(DomainException.class, () -> ZipImport.extract(zip, parent, c.limits()));

        assertEquals(c.expected(), e.error(), () -> c.name() + ": " + e.detail());
        assertTrue(ProblemTable.typeOf(e.error()).status() >= 400 && ProblemTable.typeOf(e.error()).status() < 500);
        assertEmpty(parent);
        assertTrue(e.detail().length() < 600, e.detail());
        assertTrue(e.detail().chars().noneMatch(ch -> ch < 0x20), "detail must escape control characters: " + e.detail());
    }

    @Test
    void corpusIsLargeNamedUniquelyAndCoversEveryArchiveProblem() {
        List<HostileArchives.Case> all = HostileArchives.all();
        assertTrue(all.size() >= 22, "cases: " + all.size());
        assertEquals(all.size(), all.stream().map(HostileArchives.Case::name).distinct().count());
        Set<DomainError> covered = all.stream().map(HostileArchives.Case::expected).collect(Collectors.toSet());
        Set<DomainError> archiveTypes = EnumSet.noneOf(DomainError.class);
        for (DomainError t : DomainError.values()) {
            if (t.name().startsWith("ARCHIVE_")) {
                archiveTypes.add(t);
            }
        }
        archiveTypes.removeAll(covered);
        assertEquals(Set.of(), archiveTypes, "problem types without a hostile case");
    }

    @Test
    void viteAppIsStrippedFilteredAndSecretsTakenOut() throws IOException {
        Path zip = write("app.zip", HostileArchives.validApp());
        Path parent = Files.createDirectory(tmp.resolve("parent"));

        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals("project/", tree.strippedPrefix());
            assertTrue(tree.root().startsWith(parent));
            List<String> paths = tree.files().stream().map(ImportFile::path).toList();
            assertEquals(List.of(".env.example", "index.html", "package.json", "public/favicon.bin",
                    "scripts/deploy.sh", "src/App.tsx", "src/main.tsx"), paths);
            assertEquals(paths.stream().sorted().toList(), paths, "files() sorted by path");

            // exactly these files on disk, byte-identical
            assertEquals(Set.copyOf(paths), filesUnder(tree.root()));
            assertArrayEquals(HostileArchives.binaryContent(), Files.readAllBytes(tree.root().resolve("public/favicon.bin")));
            assertEquals("export default function App() { return null; }\n",
                    Files.readString(tree.root().resolve("src/App.tsx")));
            assertEquals("VITE_SUPABASE_KEY=\n", Files.readString(tree.root().resolve(".env.example")));
            for (ImportFile f : tree.files()) {
                assertEquals(Files.size(tree.root().resolve(f.path())), f.size(), f.path());
            }

            ImportFile deploy = tree.files().stream().filter(f -> f.path().equals("scripts/deploy.sh")).findFirst().orElseThrow();
            assertTrue(deploy.executable());
            assertFalse(tree.files().stream().filter(f -> !f.path().equals("scripts/deploy.sh")).anyMatch(ImportFile::executable));
            if (Files.getFileStore(tree.root()).supportsFileAttributeView("posix")) {
                assertTrue(Files.getPosixFilePermissions(tree.root().resolve("scripts/deploy.sh"))
                        .contains(PosixFilePermission.OWNER_EXECUTE));
                assertFalse(Files.getPosixFilePermissions(tree.root().resolve("index.html"))
                        .contains(PosixFilePermission.OWNER_EXECUTE));
            }

            assertEquals(List.of(".env", ".env.local"), List.copyOf(tree.envFiles().keySet()));
            assertEquals("VITE_SUPABASE_KEY=secret-value\n", new String(tree.envFiles().get(".env"), StandardCharsets.UTF_8));
            assertEquals("STRIPE_SECRET=sk_test_123\n", new String(tree.envFiles().get(".env.local"), StandardCharsets.UTF_8));
            assertFalse(Files.exists(tree.root().resolve(".env")));
            try (Stream<Path> all = Files.walk(parent)) {
                assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith(".env.local")), "env content never on disk");
            }

            assertTrue(tree.skipped().contains("node_modules/ (3 entries)"), tree.skipped().toString());
            assertTrue(tree.skipped().contains("dist/ (3 entries)"), tree.skipped().toString());
            assertTrue(tree.skipped().contains(".git/ (1 entry)"), tree.skipped().toString());
            assertTrue(tree.skipped().contains(".DS_Store (2)"), tree.skipped().toString());
            assertTrue(tree.skipped().contains("__MACOSX/ (2 entries)"), tree.skipped().toString());

            long kept = tree.files().stream().mapToLong(ImportFile::size).sum()
                    + tree.envFiles().values().stream().mapToLong(b -> b.length).sum();
            assertEquals(kept, tree.inflatedBytes(), "left-out entries are never inflated");
        }
        assertEmpty(parent);
    }

    @Test
    void twoTopLevelFoldersAreNotStrippedAndRootFiltersApplyOnlyAtRoot() throws IOException {
        Path zip = write("two.zip", zip(file("web/index.html", "<html>"), file("web/dist/app.js", "kept: not at root"),
                file("api/main.py", "print(1)"), file("dist/bundle.js", "left out"), file("build", "a file named build")));
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals("", tree.strippedPrefix());
            assertEquals(List.of("api/main.py", "build", "web/dist/app.js", "web/index.html"),
                    tree.files().stream().map(ImportFile::path).toList());
            assertEquals(List.of("dist/ (1 entry)"), tree.skipped());
        }
        assertEmpty(parent);
    }

    @Test
    void singleRootFileIsNotStripped() throws IOException {
        Path zip = write("one.zip", zip(file("app/index.html", "<html>"), file("README.md", "# x")));
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals("", tree.strippedPrefix());
            assertEquals(List.of("README.md", "app/index.html"), tree.files().stream().map(ImportFile::path).toList());
        }
    }

    @Test
    void closeRemovesEverythingAndIsIdempotent() throws IOException {
        Path zip = write("app.zip", HostileArchives.validApp());
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT);
        assertTrue(Files.isRegularFile(tree.root().resolve("package.json")));
        tree.close();
        assertEmpty(parent);
        tree.close();
        assertEmpty(parent);
    }

    @Test
    void leftOutFoldersAreNeverInflatedNorTyped() throws IOException {
        // broken, encrypted, unsupported and symlink entries inside node_modules/ and .git/ do not matter
        Entry broken = new Entry(bytes("node_modules/x/broken.js"), 0, ZIP_DEFLATED, new byte[] {(byte) 0xff, 1, 2}, MODE_FILE);
        Entry encrypted = new Entry(bytes(".git/objects/ab/cdef"), 0x1, ZIP_DEFLATED, bytes("cipher"), MODE_FILE);
        Entry bzip2 = new Entry(bytes("node_modules/y/z.js"), 0, 12, bytes("BZh9"), MODE_FILE);
        Path zip = write("a.zip", zip(file("index.js", "ok"), broken, encrypted, bzip2,
                entry("node_modules/.bin/tool", "../tool/cli.js", MODE_SYMLINK),
                entry("node_modules/.cache/fifo", "", HostileArchives.MODE_FIFO)));
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals(List.of("index.js"), tree.files().stream().map(ImportFile::path).toList());
            assertEquals(2, tree.inflatedBytes());
            assertEquals(List.of("node_modules/ (4 entries)", ".git/ (1 entry)"), tree.skipped());
        }
    }

    @Test
    void rootBuildOutputIsLeftOutEvenWithSymlinksWhenStripped() throws IOException {
        Path zip = write("a.zip", zip(file("p/index.js", "ok"), entry("p/dist/link", "/etc/passwd", MODE_SYMLINK),
                entry("p/.next/cache/x", "cache", MODE_FILE)));
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals("p/", tree.strippedPrefix());
            assertEquals(List.of("index.js"), tree.files().stream().map(ImportFile::path).toList());
            assertEquals(List.of("dist/ (1 entry)", ".next/ (1 entry)"), tree.skipped());
        }
    }

    @Test
    void envVariantsAreTakenOutButExamplesStay() throws IOException {
        Path zip = write("a.zip", zip(file("index.js", "ok"), file(".env.production", "A=1"), file("api/.env", "B=2"),
                file(".envrc", "export C=3"), file(".env.sample", "A="), file(".env.template", "A="), file(".environment.md", "doc")));
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(zip, parent, ImportLimits.DEFAULT)) {
            assertEquals(List.of(".env.production", ".environment.md", ".envrc", "api/.env"), List.copyOf(tree.envFiles().keySet()));
            assertEquals(List.of(".env.sample", ".env.template", "index.js"), tree.files().stream().map(ImportFile::path).toList());
        }
    }

    @Test
    void limitsAreInclusive() throws IOException {
        ImportLimits limits = new ImportLimits(3, 200, 100, 20);
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        String hundred = "x".repeat(100);
        Path ok = write("ok.zip", zip(file("a/b/c/d/e/f/g/hi.txt", hundred), file("b.txt", hundred), dir("c/")));
        try (ImportTree tree = ZipImport.extract(ok, parent, limits)) {
            assertEquals(200, tree.inflatedBytes());
        }
        assertProblem(DomainError.ARCHIVE_FILE_TOO_LARGE, zip(file("a.txt", hundred + "x")), limits, parent);
        assertProblem(DomainError.ARCHIVE_TOO_LARGE, zip(file("a.txt", hundred), file("b.txt", hundred), file("c.txt", "x")),
                limits, parent);
        assertProblem(DomainError.ARCHIVE_TOO_MANY_ENTRIES, zip(file("a", "1"), file("b", "2"), file("c", "3"), dir("d/")),
                limits, parent);
        assertProblem(DomainError.ARCHIVE_PATH_TOO_LONG, zip(file("a/b/c/d/e/f/g/hij.txt", "x")), limits, parent);
    }

    @Test
    void namesWithoutTheUtf8FlagAreReadAsUtf8OrCp437() throws IOException {
        Entry cp437 = new Entry(new byte[] {'n', (byte) 0x81, '.', 't', 'x', 't'}, 0, 0, bytes("u"), MODE_FILE); // 0x81 = ü in CP437
        Entry utf8NoFlag = new Entry(bytes("caf\u00e9.txt"), 0, 0, bytes("e"), MODE_FILE);
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        try (ImportTree tree = ZipImport.extract(write("a.zip", zip(cp437, utf8NoFlag)), parent, ImportLimits.DEFAULT)) {
            assertEquals(List.of("caf\u00e9.txt", "n\u00fc.txt"), tree.files().stream().map(ImportFile::path).toList());
        }
    }

    @Test
    void problemDetailsEscapeAndTruncatePaths() throws IOException {
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        DomainException e = assertProblem(DomainError.ARCHIVE_INVALID_PATH, zip(file("evil\u001b[31m\u202e.txt", "x")),
                ImportLimits.DEFAULT, parent);
        assertTrue(e.detail().contains("evil\\u001b[31m\\u202e.txt"), e.detail());
        String longName = "a".repeat(150) + "/" + "b".repeat(150) + "/../x";
        e = assertProblem(DomainError.ARCHIVE_PATH_TRAVERSAL, zip(file(longName, "x")), ImportLimits.DEFAULT, parent);
        assertFalse(e.detail().contains("b".repeat(60)), e.detail());
        assertTrue(e.detail().length() < 300, e.detail());
    }

    @Test
    void detailsNeverEchoContent() throws IOException {
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        for (HostileArchives.Case c : HostileArchives.all()) {
            Path zip = write("c.zip", c.zip());
            DomainException e = assertThrows(DomainException.class, () -> ZipImport.extract(zip, parent, c.limits()));
            for (String secret : List.of("root:x:0:0", "rm -rf", "gitdir", "[core]", "garbage-ciphertext", "quick brown")) {
                assertFalse(e.detail().contains(secret), c.name() + ": " + e.detail());
            }
        }
    }

    @Test
    void aTempParentWithOtherContentIsLeftAlone() throws IOException {
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        Path other = Files.writeString(parent.resolve("other.txt"), "someone else's");
        Path zip = write("a.zip", HostileArchives.all().get(0).zip());
        assertThrows(DomainException.class, () -> ZipImport.extract(zip, parent, ImportLimits.DEFAULT));
        try (Stream<Path> s = Files.list(parent)) {
            assertEquals(List.of(other), s.toList());
        }
    }

    /** Found by Jazzer: commons-compress kept the file open when it could not read the central directory. */
    @Test
    void rejectedArchivesDoNotLeakFileHandles() throws IOException {
        Path fdDir = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fdDir), "needs /proc/self/fd");
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        List<HostileArchives.Case> cases = new java.util.ArrayList<>(HostileArchives.all());
        List<Path> zips = new java.util.ArrayList<>();
        for (HostileArchives.Case c : cases) {
            zips.add(write(c.name() + ".zip", c.zip()));
        }
        int unreadable = cases.indexOf(cases.stream().filter(c -> c.name().equals("central-offset-outside")).findFirst().orElseThrow());
        for (int i = 0; i < 50; i++) { // an unreadable central directory: the case that leaked
            cases.add(cases.get(unreadable));
            zips.add(zips.get(unreadable));
        }
        long before = openFiles(fdDir);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < zips.size(); i++) {
                Path zip = zips.get(i);
                ImportLimits limits = cases.get(i).limits();
                assertThrows(DomainException.class, () -> ZipImport.extract(zip, parent, limits));
            }
        }
        long after = openFiles(fdDir);
        assertTrue(after - before < 10, "open files grew from " + before + " to " + after);
    }

    private static long openFiles(Path fdDir) throws IOException {
        try (Stream<Path> s = Files.list(fdDir)) {
            return s.count();
        }
    }

    static DomainException assertProblem(DomainError expected, byte[] zipBytes, ImportLimits limits, Path parent) throws IOException {
        Path zip = Files.createTempFile(parent.getParent(), "case", ".zip");
        Files.write(zip, zipBytes);
        DomainException e = assertThrows(DomainException.class, () -> ZipImport.extract(zip, parent, limits));
        assertEquals(expected, e.error(), e.detail());
        assertEmpty(parent);
        return e;
    }

    static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "temp parent must be empty");
        }
    }

    static Set<String> filesUnder(Path root) throws IOException {
        Set<String> out = new HashSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                assertFalse(Files.isSymbolicLink(p), p.toString());
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(root.relativize(p).toString().replace('\\', '/'));
                }
            }
        }
        return out;
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }
}
