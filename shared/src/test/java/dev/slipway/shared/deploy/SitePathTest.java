package dev.slipway.shared.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SitePathTest {
    @Test
    void normalisesALeadingSlash() {
        assertEquals("assets/a.js", SitePath.check("/assets/a.js"));
        assertEquals("index.html", SitePath.check("index.html"));
        assertEquals("a b/c%20d.txt", SitePath.check("a b/c%20d.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "../x", "a/../b", "./a", "a//b", "a/", "a\\b", "a\u0000b", "a\nb", "\u00e9.html", "a?b", "a#b"})
    void refusesPathsThatCouldEscapeOrConfuse(String path) {
        assertThrows(IllegalArgumentException.class, () -> SitePath.check(path));
    }

    @Test
    void refusesOverlongPaths() {
        assertThrows(IllegalArgumentException.class, () -> SitePath.check("a/".repeat(500) + "x"));
    }
}
