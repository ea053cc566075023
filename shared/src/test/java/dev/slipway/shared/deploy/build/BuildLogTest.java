package dev.slipway.shared.deploy.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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

    private static final String PW = "p@ss w0rd/+é!~'(x)?&=";

    @Test
    void base64AndPercentEncodingsOfAValueAreRedacted() {
        LogRedactor r = new LogRedactor(Map.of("PW", PW));
        byte[] bytes = PW.getBytes(StandardCharsets.UTF_8);
        StringBuilder everyByte = new StringBuilder();
        for (byte b : bytes) {
            everyByte.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        String urlEncoded = URLEncoder.encode(PW, StandardCharsets.UTF_8);
        List<String> forms = List.of(
                Base64.getEncoder().encodeToString(bytes),
                Base64.getEncoder().withoutPadding().encodeToString(bytes),
                Base64.getUrlEncoder().encodeToString(bytes),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
                urlEncoded,
                Pattern.compile("%[0-9A-F]{2}").matcher(urlEncoded).replaceAll(m -> m.group().toLowerCase(Locale.ROOT)),
                urlEncoded.replace("+", "%20").replace("%21", "!").replace("%7E", "~").replace("%27", "'").replace("%28", "(").replace("%29", ")"),
                everyByte.toString(),
                everyByte.toString().toLowerCase(Locale.ROOT));
        for (String form : forms) {
            assertEquals("v=[redacted:PW];", r.redact("v=" + form + ";"), form);
        }
    }

    @Test
    void aValueInsideALongerBase64TextIsRedactedAtEveryByteOffset() {
        LogRedactor r = new LogRedactor(Map.of("PW", PW));
        int n = PW.getBytes(StandardCharsets.UTF_8).length;
        for (String prefix : List.of("", "a", "ab", "user:", "DATABASE_PASSWORD=")) {
            for (String suffix : List.of("", "x", "xy", "@db.example.com:5432")) {
                for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder().withoutPadding())) {
                    String b64 = enc.encodeToString((prefix + PW + suffix).getBytes(StandardCharsets.UTF_8));
                    String head = "Authorization: Basic ";
                    String out = r.redact(head + b64);
                    int at = out.indexOf("[redacted:PW]");
                    assertTrue(at >= 0, prefix + "|" + suffix + ": " + out);
                    // Every character whose 6 bits all come from the value is gone: what is left encodes prefix and suffix.
                    int p = prefix.getBytes(StandardCharsets.UTF_8).length;
                    assertTrue(at - head.length() <= (8 * p + 5) / 6, prefix + "|" + suffix + ": " + out);
                    int left = out.length() - at - "[redacted:PW]".length();
                    assertTrue(left <= b64.length() - 8 * (p + n) / 6, prefix + "|" + suffix + ": " + out);
                }
            }
        }
    }

    @Test
    void manyValuesInOneLineAreEachRedacted() {
        // Speed is the redactor's design (one Aho-Corasick pass over a line for every form of every value), not a
        // timed assertion here: this checks that 300 values with ~4,000 forms still all come out.
        Map<String, String> values = new HashMap<>();
        StringBuilder line = new StringBuilder("x".repeat(500));
        for (int i = 0; i < 300; i++) {
            String value = "value-" + i + "-" + Integer.toHexString(i * 7919) + "/+=";
            values.put("V" + i, value);
            line.append(' ').append(value);
        }
        String out = new LogRedactor(values).redact(line.toString());
        for (int i = 0; i < 300; i++) {
            assertTrue(out.contains("[redacted:V" + i + "]"), "V" + i);
            assertFalse(out.contains("value-" + i + "-"), "V" + i);
        }
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
