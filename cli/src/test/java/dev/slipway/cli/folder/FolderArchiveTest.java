package dev.slipway.cli.folder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The folder zip leaves out what git would not commit: each rule of .gitignore as git reads it. */
class FolderArchiveTest {
    @TempDir
    Path root;

    private void write(String path, String content) throws Exception {
        Path f = root.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
    }

    private List<String> files() throws Exception {
        return FolderArchive.list(root).files();
    }

    @Test
    void patternsNegationAnchorsAndFolderOnlyRules() throws Exception {
        write(".gitignore", """
                # comments and blank lines are no rules

                *.log
                !keep.log
                /top-only.txt
                build/
                dist
                **/cache/**
                \\#literal-hash
                """);
        write("a.log", "x");
        write("keep.log", "x");
        write("src/deep/b.log", "x");
        write("src/deep/keep.log", "x");
        write("top-only.txt", "x");
        write("src/top-only.txt", "x");
        write("build/out.js", "x");
        write("src/build", "a file named build: the folder-only rule does not match it");
        write("dist/index.html", "x");
        write("x/cache/y/z.txt", "x");
        write("#literal-hash", "x");
        write("index.html", "x");
        assertEquals(List.of(".gitignore", "index.html", "keep.log", "src/build", "src/deep/keep.log", "src/top-only.txt"), files());
    }

    @Test
    void aDeeperGitignoreWinsAndAFolderLeftOutCannotBeReincluded() throws Exception {
        write(".gitignore", "*.txt\nvendor/\n!vendor/keep.txt\n");
        write("docs/.gitignore", "!*.txt\nprivate.txt\n");
        write("a.txt", "x");
        write("docs/readme.txt", "x");
        write("docs/private.txt", "x");
        write("vendor/keep.txt", "git cannot re-include a file whose folder is left out");
        assertEquals(List.of(".gitignore", "docs/.gitignore", "docs/readme.txt"), files());
        assertEquals(List.of("a.txt", "docs/private.txt", "vendor/"), FolderArchive.list(root).ignored().stream().sorted().toList());
    }

    @Test
    void gitsOwnFolderItsExcludeFileTheLinkFileAndNodeModulesAreLeftOut() throws Exception {
        write(".git/HEAD", "ref: refs/heads/main\n");
        write(".git/info/exclude", "notes.md\n");
        write("notes.md", "x");
        write(".slipway-app", "shop\n");
        write("node_modules/react/index.js", "not ignored by any rule, dropped by every import: not uploaded");
        write("packages/ui/node_modules/x.js", "x");
        write("sub/.slipway-app", "only the top one is the CLI's");
        write("index.html", "x");
        assertEquals(List.of("index.html", "sub/.slipway-app"), files());
    }

    @Test
    void symlinksAreSkippedAndTheZipHoldsTheFilesWithoutATopFolder() throws Exception {
        write("index.html", "<h1>hi</h1>");
        write("assets/app.js", "console.log(1)");
        Files.createSymbolicLink(root.resolve("link.html"), root.resolve("index.html"));
        FolderArchive.Listing listing = FolderArchive.list(root);
        assertEquals(List.of("link.html"), listing.skipped());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] progress = {0};
        FolderArchive.zip(listing, bytes, n -> progress[0] = n);
        assertEquals(listing.bytes(), progress[0]);
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().equals("index.html")) {
                    assertEquals("<h1>hi</h1>", new String(zip.readAllBytes()));
                }
            }
        }
        assertEquals(List.of("assets/app.js", "index.html"), names);
    }

    @Test
    void notAFolderIsRefused() throws Exception {
        write("a.zip", "x");
        assertThrows(java.io.IOException.class, () -> FolderArchive.list(root.resolve("a.zip")));
        assertTrue(FolderArchive.list(root).ignored().isEmpty());
    }
}
