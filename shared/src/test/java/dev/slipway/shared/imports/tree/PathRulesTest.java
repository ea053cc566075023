package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathRulesTest {
    private static DomainError hostile(String raw) {
        return assertThrows(DomainException.class, () -> PathRules.checkHostile(raw)).error();
    }

    private static DomainError kept(String raw) {
        String body = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        return assertThrows(DomainException.class, () -> PathRules.checkKept(raw, body.split("/", -1), 1024)).error();
    }

    @Test
    void hostileNames() {
        assertEquals(DomainError.ARCHIVE_PATH_TRAVERSAL, hostile(".."));
        assertEquals(DomainError.ARCHIVE_PATH_TRAVERSAL, hostile("../"));
        assertEquals(DomainError.ARCHIVE_PATH_TRAVERSAL, hostile("a/b/.."));
        assertEquals(DomainError.ARCHIVE_ABSOLUTE_PATH, hostile("/"));
        assertEquals(DomainError.ARCHIVE_ABSOLUTE_PATH, hostile("z:"));
        assertEquals(DomainError.ARCHIVE_ABSOLUTE_PATH, hostile("//?/C:/x"));
        assertEquals(DomainError.ARCHIVE_BACKSLASH_PATH, hostile("\\\\server\\share"));
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, hostile(""));
        for (String ok : new String[] {"a..b", "...", "..a/b", "a/b..", "src/1:2.txt", "\u00e9/x"}) {
            assertDoesNotThrow(() -> PathRules.checkHostile(ok), ok);
        }
    }

    @Test
    void keptNames() {
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, kept("a\u007fb"));
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, kept("a\u0085b"));
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, kept("a\ud800b"));
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, kept("./a"));
        assertEquals(DomainError.ARCHIVE_INVALID_PATH, kept("a//"));
        assertEquals(DomainError.ARCHIVE_PATH_TOO_LONG, kept("x".repeat(1025)));
        assertEquals(DomainError.ARCHIVE_PATH_TOO_LONG, kept("\u4e00".repeat(86) + "/" + "b")); // 258 UTF-8 bytes
        String wide = ("\u4e00".repeat(80) + "/").repeat(13) + "b"; // 1054 characters, 3133 UTF-8 bytes
        assertEquals(DomainError.ARCHIVE_PATH_TOO_LONG, assertThrows(DomainException.class,
                () -> PathRules.checkKept(wide, wide.split("/"), 4000)).error());
        assertDoesNotThrow(() -> PathRules.checkKept("\ud83d\ude00/a.txt", new String[] {"\ud83d\ude00", "a.txt"}, 1024));
        assertDoesNotThrow(() -> PathRules.checkKept(".gitignore", new String[] {".gitignore"}, 1024));
        assertDoesNotThrow(() -> PathRules.checkKept(".github/workflows/ci.yml", new String[] {".github", "workflows", "ci.yml"}, 1024));
    }

    @Test
    void gitReservedNames() {
        for (String n : new String[] {".git", ".GIT", ".Git", ".git.", ".git ", ".git . .", "git~1", "GIT~1", ".g\u200dit",
                "\ufeff.git", ".git::$INDEX_ALLOCATION"}) {
            assertTrue(PathRules.isGitReserved(n), n);
        }
        for (String n : new String[] {".gitignore", ".gitmodules", ".gitattributes", "git", ".github", "git~2", "x.git"}) {
            assertFalse(PathRules.isGitReserved(n), n);
        }
    }

    @Test
    void filters() {
        assertEquals("node_modules/", PathRules.anywhereFilter(new String[] {"a", "node_modules", "x.js"}, false));
        assertEquals(".git/", PathRules.anywhereFilter(new String[] {".git"}, true));
        assertNull(PathRules.anywhereFilter(new String[] {"sub", ".git"}, false), "a .git file is not a folder: the name rules reject it");
        assertEquals("__MACOSX/", PathRules.anywhereFilter(new String[] {"__MACOSX", "._a"}, false));
        assertEquals("._* (AppleDouble)", PathRules.anywhereFilter(new String[] {"src", "._App.tsx"}, false));
        assertEquals("Thumbs.db", PathRules.anywhereFilter(new String[] {"img", "thumbs.db"}, false));
        assertEquals("desktop.ini", PathRules.anywhereFilter(new String[] {"Desktop.ini"}, false));
        assertNull(PathRules.anywhereFilter(new String[] {"src", "dist", "a.js"}, false));
        assertEquals("dist/", PathRules.rootFilter(new String[] {"dist", "a.js"}, 0, false));
        assertEquals("dist/", PathRules.rootFilter(new String[] {"dist"}, 0, true));
        assertNull(PathRules.rootFilter(new String[] {"dist"}, 0, false), "a file named dist stays");
        assertEquals(".next/", PathRules.rootFilter(new String[] {"p", ".next", "x"}, 1, false));
    }

    @Test
    void envFiles() {
        for (String n : new String[] {".env", ".env.local", ".env.production", ".envrc", ".env.development.local"}) {
            assertTrue(PathRules.isEnvFile(n), n);
        }
        for (String n : new String[] {".env.example", ".env.sample", ".env.template", ".ENV.EXAMPLE", "env", "x.env", "a.env.local"}) {
            assertFalse(PathRules.isEnvFile(n), n);
        }
    }

    @Test
    void showEscapesAndTruncates() {
        assertEquals("\"a\\u000ab\\u0000c\\u202ed\\u0022\"", PathRules.show("a\nb\u0000c\u202ed\""));
        assertEquals("\"\ud83d\ude00\"", PathRules.show("\ud83d\ude00"));
        assertEquals("\"\\ud800\"", PathRules.show("\ud800"));
        String shown = PathRules.show("x".repeat(5000));
        assertTrue(shown.length() < 230, shown);
        assertTrue(shown.contains("(5000 characters)"), shown);
    }
}
