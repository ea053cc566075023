package dev.slipway.shared.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ContentPolicyTest {
    @ParameterizedTest
    @CsvSource({
            "index.html, no-cache",
            "about/index.htm, no-cache",
            "assets/index-BdF3x9Qa.js, 'public, max-age=31536000, immutable'",
            "assets/index-Bd-3x_9Q.css, 'public, max-age=31536000, immutable'",
            "static/js/main.3f9a1c2b.js, 'public, max-age=31536000, immutable'",
            "assets/logo-a1b2c3d4e5.svg, 'public, max-age=31536000, immutable'",
            // No digit and letter mix, or too short: a name, not a hash.
            "assets/my-component.js, 'public, max-age=300, must-revalidate'",
            "assets/app-1234.js, 'public, max-age=300, must-revalidate'",
            "assets/12345678.js, 'public, max-age=300, must-revalidate'",
            "favicon.ico, 'public, max-age=300, must-revalidate'",
            "robots.txt, 'public, max-age=300, must-revalidate'",
    })
    void cachePolicy(String path, String expected) {
        assertEquals(expected, ContentPolicy.cacheControl(path));
    }

    @ParameterizedTest
    @CsvSource({
            "index.html, text/html; charset=utf-8",
            "a/b.JS, text/javascript; charset=utf-8",
            "x.css, text/css; charset=utf-8",
            "x.svg, image/svg+xml",
            "x.woff2, font/woff2",
            "x.webmanifest, application/manifest+json",
            "noext, application/octet-stream",
            "x.unknown, application/octet-stream",
    })
    void contentType(String path, String expected) {
        assertEquals(expected, ContentPolicy.contentType(path));
    }
}
