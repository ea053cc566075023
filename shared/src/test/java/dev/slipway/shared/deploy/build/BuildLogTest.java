package dev.slipway.shared.deploy.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildLogTest {

    @Test
    void redactsValuesLongestFirstAndTokens() {
        LogRedactor r = new LogRedactor(Map.of("SHORT", "abc", "KEY", "abcd1234", "LONGER", "abcd1234-more"));
        assertEquals("x [redacted:LONGER] y [redacted:KEY] abc", r.redact("x abcd1234-more y abcd1234 abc"));
        String line = r.redact("using sk_live_51Habcdefghijklmnopqrstuvwx and AKIAABCDEFGHIJKLMNOP");
        assertFalse(line.contains("sk_live_51Habcdefghijklmnopqrstuvwx"), line);
        assertFalse(line.contains("AKIAABCDEFGHIJKLMNOP"), line);
        assertTrue(line.contains("sk_live_\u2026"), line);
        assertEquals("[redacted: a private key]", r.redact("-----BEGIN RSA PRIVATE KEY-----"));
    }

    @Test
    void capsTheFileButKeepsTheTail(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("b.log");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            out.append("line ").append(i).append(" secret-value\n");
        }
        try (BuildLog log = new BuildLog(file, new LogRedactor(Map.of("S", "secret-value")), 1000)) {
            log.note("build: x");
            log.pump(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)));
            assertTrue(log.truncated());
            assertEquals(BuildLog.TAIL_LINES, log.tail().size());
            assertEquals("line 999 [redacted:S]", log.tail().get(BuildLog.TAIL_LINES - 1));
        }
        String text = Files.readString(file);
        assertTrue(text.length() < 1200, text.length() + " chars");
        assertTrue(text.startsWith("==> build: x\nline 0 [redacted:S]\n"));
        assertTrue(text.contains("==> log truncated"));
        assertFalse(text.contains("secret-value"));
    }

    @Test
    void splitsVeryLongLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.log");
        try (BuildLog log = new BuildLog(file, new LogRedactor(Map.of()), 1 << 20)) {
            log.pump(new ByteArrayInputStream(("x".repeat(BuildLog.MAX_LINE_CHARS * 2 + 5) + "\r\nend")
                    .getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(4, Files.readAllLines(file).size());
    }
}
