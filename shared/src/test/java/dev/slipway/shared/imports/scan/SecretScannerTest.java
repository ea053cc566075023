package dev.slipway.shared.imports.scan;

import dev.slipway.shared.imports.findings.Finding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretScannerTest {
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String BASE64 = ALNUM + "+/";
    private final Random random = new Random(42);

    @TempDir
    Path root;

    // ---- helpers ----

    private String random(String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    static String b64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String jwt(String role) {
        byte[] sig = new byte[32];
        new SecureRandom().nextBytes(sig);
        return b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "."
                + b64url("{\"iss\":\"supabase\",\"ref\":\"qwertyuiopasdfghjklz\",\"role\":\"" + role + "\",\"iat\":1716000000,\"exp\":2031576000}")
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private List<Finding> scan(String... files) {
        return new SecretScanner().scan(root, List.of(files));
    }

    private List<Finding> scanText(String file, String text) throws IOException {
        write(file, text);
        return scan(file);
    }

    private static void assertNoMiddle(String secret, Finding f) {
        String r = f.redacted();
        assertFalse(r.contains(secret), r);
        // Nothing but a known prefix and at most the last 4 characters: no 5 consecutive characters past the prefix.
        int skip = Redaction.KNOWN_PREFIXES.stream().filter(secret::startsWith).mapToInt(String::length).max().orElse(0);
        for (int i = skip; i + 5 <= secret.length(); i++) {
            assertFalse(r.contains(secret.substring(i, i + 5)), () -> r + " reveals part of the secret");
        }
    }

    // ---- Supabase ----

    @Test
    void serviceRoleKeyIsReportedRedactedAndAnonKeyIsNot() throws IOException {
        String anon = jwt("anon");
        String service = jwt("service_role");
        write("src/integrations/supabase/client.ts", """
                import { createClient } from '@supabase/supabase-js';
                const SUPABASE_URL = "https://qwertyuiopasdfghjklz.supabase.co";
                const SUPABASE_PUBLISHABLE_KEY = "%s";
                const authKey = "%s";
                export const supabase = createClient(SUPABASE_URL, SUPABASE_PUBLISHABLE_KEY);
                """.formatted(anon, anon));
        write(".env", "VITE_SUPABASE_ANON_KEY=" + anon + "\nSUPABASE_SERVICE_ROLE_KEY=" + service + "\n");

        List<Finding> findings = scan("src/integrations/supabase/client.ts", ".env");
        assertEquals(1, findings.size(), findings::toString);
        Finding f = findings.get(0);
        assertEquals("supabase-service-role-key", f.rule());
        assertEquals(Finding.CRITICAL, f.severity());
        assertEquals(".env", f.file());
        assertEquals(2, f.line());
        String[] parts = service.split("\\.");
        assertFalse(f.redacted().contains(parts[1]), "payload leaked");
        assertFalse(f.redacted().contains(parts[2]), "signature leaked");
        assertTrue(f.redacted().startsWith("eyJ…"), f.redacted());
        assertNoMiddle(service, f);
        assertTrue(f.message().contains("service_role"));
    }

    @Test
    void jwtsWithoutARoleOrWithGarbagePayloadsAreNotReported() throws IOException {
        String noRole = b64url("{\"alg\":\"HS256\"}") + "." + b64url("{\"sub\":\"1234567890\",\"name\":\"x\"}") + ".c2lnbmF0dXJl";
        String garbage = "eyJhbGciOiJIUzI1NiJ9.eyJ!!!notbase64.c2ln";
        String broken = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xl.c2ln"; // truncated JSON
        assertEquals(List.of(), scanText("a.ts", noRole + "\n" + garbage + "\n" + broken + "\n"));
    }

    @Test
    void supabaseSecretKeysAreReportedPublishableKeysAreNot() throws IOException {
        String secret = "sb_secret_" + random(ALNUM + "_-", 32);
        String publishable = "sb_publishable_" + random(ALNUM + "_-", 32);
        List<Finding> findings = scanText(".env.local", """
                SUPABASE_SECRET_KEY=%s
                VITE_SUPABASE_PUBLISHABLE_KEY=%s
                SUPABASE_SECRET=%s
                """.formatted(secret, publishable, publishable));
        assertEquals(1, findings.size(), findings::toString);
        assertEquals("supabase-secret-key", findings.get(0).rule());
        assertEquals(Finding.CRITICAL, findings.get(0).severity());
        assertEquals(1, findings.get(0).line());
        assertTrue(findings.get(0).redacted().startsWith("sb_secret_…"));
        assertNoMiddle(secret, findings.get(0));
    }

    // ---- Slipway's own tokens ----

    @Test
    void slipwayTokensAreReportedByTheirChecksumLookAlikesAreNot() throws IOException {
        String real = dev.slipway.shared.auth.TokenFormat.generate(dev.slipway.shared.auth.TokenFormat.newId(java.time.Instant.now()));
        char last = real.charAt(real.length() - 1);
        String lookAlike = real.substring(0, real.length() - 1) + (last == 'a' ? 'b' : 'a');
        List<Finding> findings = scanText("src/deploy.ts", """
                const token = "%s";
                const example = "%s";
                """.formatted(real, lookAlike));
        assertEquals(1, findings.size(), findings::toString);
        assertEquals("slipway-token", findings.get(0).rule());
        assertEquals(Finding.CRITICAL, findings.get(0).severity());
        assertEquals(1, findings.get(0).line());
        assertTrue(findings.get(0).redacted().startsWith("slwt_…"), findings.get(0).redacted());
        assertNoMiddle(real, findings.get(0));
    }

    // ---- Stripe ----

    @Test
    void stripeLiveSecretAndRestrictedKeysAreCriticalTestKeysInfoPublishableNothing() throws IOException {
        String live = "sk_live_" + random(ALNUM, 99);
        String restricted = "rk_live_" + random(ALNUM, 24);
        String test = "sk_test_" + random(ALNUM, 24);
        String publishable = "pk_live_" + random(ALNUM, 24);
        List<Finding> findings = scanText("src/pay.js", """
                const stripe = new Stripe('%s');
                const restricted = "%s";
                const testKey = "%s";
                const publishableKey = "%s";
                const tooShort = "sk_live_123";
                const notAKey = "ask_live_%s";
                """.formatted(live, restricted, test, publishable, random(ALNUM, 20)));
        assertEquals(List.of("stripe-live-secret-key", "stripe-live-secret-key", "stripe-test-key"),
                findings.stream().map(Finding::rule).toList(), findings::toString);
        assertEquals(List.of(Finding.CRITICAL, Finding.CRITICAL, Finding.INFO), findings.stream().map(Finding::severity).toList());
        assertEquals(List.of(1, 2, 3), findings.stream().map(Finding::line).toList());
        assertTrue(findings.get(1).message().contains("restricted"));
        assertNoMiddle(live, findings.get(0));
        assertNoMiddle(restricted, findings.get(1));
        assertNoMiddle(test, findings.get(2));
    }

    // ---- AWS ----

    @Test
    void awsAccessKeyIdsAreReportedButTheDocumentedExampleIsNot() throws IOException {
        String akia = "AKIA" + random(UPPER_DIGITS, 16);
        String asia = "ASIA" + random(UPPER_DIGITS, 16);
        List<Finding> findings = scanText("deploy.sh", """
                export AWS_ACCESS_KEY_ID=%s
                export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
                session=%s
                embedded=XAKIA%s
                """.formatted(akia, asia, random(UPPER_DIGITS, 16)));
        assertEquals(List.of("aws-access-key-id", "aws-access-key-id"), findings.stream().map(Finding::rule).toList(), findings::toString);
        assertEquals(List.of(1, 3), findings.stream().map(Finding::line).toList());
        assertTrue(findings.get(0).redacted().startsWith("AKIA…"));
        assertNoMiddle(akia, findings.get(0));
        assertNoMiddle(asia, findings.get(1));
    }

    @Test
    void awsSecretAccessKeysNeedAnAwsSecretName() throws IOException {
        String secret = random(BASE64, 40);
        List<Finding> findings = scanText("config/aws.json", """
                {
                  "awsSecretAccessKey": "%s",
                  "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                  "AWS_SECRET_ACCESS_KEY": "your-aws-secret-access-key-goes-here-now"
                }
                """.formatted(secret));
        assertEquals(1, findings.size(), findings::toString);
        assertEquals("aws-secret-access-key", findings.get(0).rule());
        assertEquals(Finding.CRITICAL, findings.get(0).severity());
        assertEquals(2, findings.get(0).line());
        assertNoMiddle(secret, findings.get(0));

        // The same value under an unrelated name is not an AWS secret (nor a generic one: the name is not secret-like).
        assertEquals(List.of(), scanText("other.txt", "checksum = \"" + secret + "\"\n"));
    }

    // ---- private keys ----

    @Test
    void privateKeyHeadersAreReported() throws IOException {
        String text = String.join("\n",
                "-----BEGIN PRIVATE KEY-----",
                "-----BEGIN RSA PRIVATE KEY-----",
                "-----BEGIN EC PRIVATE KEY-----",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "-----BEGIN DSA PRIVATE KEY-----",
                "-----BEGIN PGP PRIVATE KEY BLOCK-----",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----",
                "-----BEGIN PUBLIC KEY-----",
                "-----BEGIN CERTIFICATE-----",
                "const KEY = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEow...\";");
        List<Finding> findings = scanText("keys.txt", text);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 10), findings.stream().map(Finding::line).toList(), findings::toString);
        assertTrue(findings.stream().allMatch(f -> f.rule().equals("private-key") && f.severity().equals(Finding.CRITICAL)));
        assertEquals("-----BEGIN RSA PRIVATE KEY-----", findings.get(1).redacted());
    }

    // ---- generic ----

    @Test
    void highEntropyValuesOfSecretNamesAreWarnings() throws IOException {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            secrets.add(random(ALNUM, 32));
        }
        List<Finding> findings = scanText("src/config.ts", """
                const apiKey = "%s";
                export const config = { password: '%s', client_secret: `%s` };
                JWT_SECRET=%s
                { "access_token": "%s" }
                headers: { Authorization: "Bearer %s" }
                """.formatted(secrets.toArray()));
        assertEquals(6, findings.size(), findings::toString);
        assertTrue(findings.stream().allMatch(f -> f.rule().equals("generic-high-entropy-secret") && f.severity().equals(Finding.WARNING)));
        assertEquals(List.of(1, 2, 2, 3, 4, 5), findings.stream().map(Finding::line).toList());
        for (int i = 0; i < 6; i++) {
            assertNoMiddle(secrets.get(i), findings.get(i));
        }
        assertTrue(findings.get(0).message().contains("apiKey"));
    }

    @Test
    void publicNamesPlaceholdersAndLowEntropyValuesAreIgnored() throws IOException {
        String value = random(ALNUM, 32);
        List<Finding> findings = scanText("src/env.ts", """
                const publicKey = "%1$s";
                const publicApiKey = "%1$s";
                ANON_AUTH_TOKEN=%1$s
                VITE_SUPABASE_ANON_KEY=%1$s
                const stripePublishableKey = "%1$s";
                const exampleToken = "%1$s";
                const tokenPlaceholder = "%1$s";
                const authDomain = "my-project-12345.firebaseapp.com";
                const apiKey = "your-api-key-goes-here-please";
                const secret = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
                const token = "<YOUR_TOKEN_HERE_abcdefghijk>";
                const password = "${SECRET_FROM_ENVIRONMENT_1}";
                const apiToken = process.env.API_TOKEN_FROM_ENVIRONMENT;
                const authToken = import.meta.env.VITE_AUTH_TOKEN_FROM_ENV;
                const clientSecret = getClientSecretFromServer2();
                const sessionToken = session.accessTokenForTheUser;
                const password = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
                const password = "Sh0rtButR4nd0m";
                const tokenError = "Your token has expired, please log in";
                const firebaseApiKey = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW";
                const secretUrl = "https://example.com/a1B2c3D4e5F6g7H8";
                """.formatted(value));
        assertEquals(List.of(), findings);
    }

    @Test
    void entropyAndPlaceholderHelpers() {
        assertEquals(0.0, SecretScanner.entropy("aaaa"));
        assertEquals(2.0, SecretScanner.entropy("abcd"), 1e-9);
        assertTrue(SecretScanner.isPlaceholder("your-key"));
        assertTrue(SecretScanner.isPlaceholder("<token>"));
        assertTrue(SecretScanner.isPlaceholder("${TOKEN}"));
        assertTrue(SecretScanner.isPlaceholder("process.env.TOKEN"));
        assertFalse(SecretScanner.isPlaceholder("q8Vb2LmXz4Rt7YpWc1NsD0"));
        assertTrue(SecretScanner.looksLikeSecretName("STRIPE_SECRET_KEY"));
        assertTrue(SecretScanner.looksLikeSecretName("db.password"));
        assertTrue(SecretScanner.looksLikeSecretName("x-api-key"));
        assertTrue(SecretScanner.looksLikeSecretName("securityToken"));
        assertFalse(SecretScanner.looksLikeSecretName("SUPABASE_ANON_KEY"));
        assertFalse(SecretScanner.looksLikeSecretName("publicApiKey"));
        assertFalse(SecretScanner.looksLikeSecretName("author"));
        assertFalse(SecretScanner.looksLikeSecretName("description"));
    }

    // ---- dedup, order, skipping ----

    @Test
    void sameValueOnOneLineIsReportedOncePerLine() throws IOException {
        String live = "sk_live_" + random(ALNUM, 24);
        List<Finding> findings = scanText("a.js", "const secretKey = '" + live + "'; // " + live + "\nuse('" + live + "');\n");
        assertEquals(2, findings.size(), findings::toString);
        assertEquals(List.of(1, 2), findings.stream().map(Finding::line).toList());
        assertTrue(findings.stream().allMatch(f -> f.rule().equals("stripe-live-secret-key")));
    }

    @Test
    void findingsAreSortedByFileThenLine() throws IOException {
        String key = "AKIA" + random(UPPER_DIGITS, 16);
        write("z.txt", key);
        write("a/b.txt", "\n\n" + key + "\n" + key.replace("AKIA", "ASIA"));
        write("a/a.txt", "\n" + key);
        List<Finding> findings = scan("z.txt", "a/b.txt", "a/a.txt", "a/b.txt");
        assertEquals(List.of("a/a.txt:2", "a/b.txt:3", "a/b.txt:4", "z.txt:1"),
                findings.stream().map(f -> f.file() + ":" + f.line()).toList());
    }

    @Test
    void binaryHugeLockMinifiedAndOutsideFilesAreSkipped() throws IOException {
        String live = "sk_live_" + random(ALNUM, 24);
        byte[] binary = ("\0PNG" + live).getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("image.png"), binary);
        write("huge.js", live + "\n" + "x".repeat((int) SecretScanner.MAX_FILE_BYTES));
        for (String lock : List.of("package-lock.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "sub/yarn.lock")) {
            write(lock, "\"integrity\": \"" + live + "\"\n");
        }
        write("dist/vendor.min.js", "var k=\"" + live + "\";");
        write("dist/vendor.js.map", "{\"k\":\"" + live + "\"}");
        Path outside = root.getParent().resolve("outside-" + random(ALNUM, 6) + ".txt");
        Files.writeString(outside, live);
        try {
            List<Finding> findings = scan("image.png", "huge.js", "package-lock.json", "pnpm-lock.yaml", "yarn.lock",
                    "bun.lockb", "sub/yarn.lock", "dist/vendor.min.js", "dist/vendor.js.map", "../" + outside.getFileName(),
                    "missing.txt", "dist");
            assertEquals(List.of(), findings);
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void symlinksOutOfTheTreeAreNotFollowed() throws IOException {
        Path outside = Files.createTempDirectory("slipway-outside");
        try {
            Files.writeString(outside.resolve("secret.txt"), "sk_live_" + random(ALNUM, 24));
            try {
                Files.createSymbolicLink(root.resolve("link.txt"), outside.resolve("secret.txt"));
                Files.createSymbolicLink(root.resolve("dir"), outside);
            } catch (UnsupportedOperationException | IOException e) {
                return; // no symlinks on this file system
            }
            assertEquals(List.of(), scan("link.txt", "dir/secret.txt"));
        } finally {
            Files.deleteIfExists(outside.resolve("secret.txt"));
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void longLinesAreScannedInTheirFirst5000CharactersOnly() throws IOException {
        String early = "sk_live_" + random(ALNUM, 24);
        String late = "rk_live_" + random(ALNUM, 24);
        String line = "x=\"" + early + "\";" + " ".repeat(6000) + "y=\"" + late + "\";";
        List<Finding> findings = scanText("bundle.js", line + "\n");
        assertEquals(1, findings.size(), findings::toString);
        assertNoMiddle(early, findings.get(0));
    }

    @Test
    void crlfLineEndingsAndNoTrailingNewline() throws IOException {
        String key = "sk_live_" + random(ALNUM, 24);
        List<Finding> findings = scanText("w.env", "A=1\r\nB=" + key + "\r\nC=" + key);
        assertEquals(List.of(2, 3), findings.stream().map(Finding::line).toList());
    }
}
