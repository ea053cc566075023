package dev.slipway.shared.imports.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slipway.shared.auth.TokenFormat;
import dev.slipway.shared.imports.findings.Finding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for secrets committed into an imported app's source, line by line. Every finding carries a
 * {@link Redaction redacted} value only; the raw secret never leaves this class.
 *
 * <p>Rules (rule id, severity):
 * <ul>
 *   <li>{@code supabase-service-role-key} (critical): a JWT whose payload has {@code "role": "service_role"}.
 *       Anon JWTs ({@code "role": "anon"}) and {@code sb_publishable_…} keys are public by design and are
 *       never reported, by this or any other rule.</li>
 *   <li>{@code supabase-secret-key} (critical): {@code sb_secret_…}.</li>
 *   <li>{@code stripe-live-secret-key} (critical): {@code sk_live_…} and restricted {@code rk_live_…}.</li>
 *   <li>{@code stripe-test-key} (info): {@code sk_test_…} / {@code rk_test_…}: cannot move real money, but
 *       still belongs in an environment variable.</li>
 *   <li>{@code aws-access-key-id} (critical): {@code AKIA…}/{@code ASIA…} + 16; AWS's documented example
 *       {@code AKIAIOSFODNN7EXAMPLE} is ignored.</li>
 *   <li>{@code aws-secret-access-key} (critical): a 40-character base64 value assigned to a name containing
 *       both {@code aws} and {@code secret}.</li>
 *   <li>{@code private-key} (critical): a PEM/PGP private key header. Its redacted value is the header
 *       itself, which carries no key material.</li>
 *   <li>{@code generic-high-entropy-secret} (warning): an assignment to a secret-looking name of a value of
 *       at least 20 characters, no whitespace, Shannon entropy at least 3.5 bits/char, that is not a
 *       placeholder, URL or path. Values another rule recognises (JWTs, vendor keys) and public browser keys
 *       ({@code sb_publishable_}, Stripe {@code pk_}, Google {@code AIza}) are left to those rules / not
 *       reported. In code files an unquoted value that is an identifier or member expression
 *       ({@code token = getToken}, {@code secret: config.secret}) is not a value.</li>
 * </ul>
 *
 * <p>Skipped: paths outside the root (also via symlinks), non-regular files, files over 1 MiB, binary files
 * (a NUL byte in the first 8 KiB), lock files, and minified files by name ({@code *.min.js}, {@code *.min.css},
 * …, {@code *.map}). Other long lines are scanned in their first 5,000 characters only.
 */
public final class SecretScanner {
    public static final long MAX_FILE_BYTES = 1L << 20;
    public static final int BINARY_SNIFF_BYTES = 8 * 1024;
    public static final int MAX_LINE_CHARS = 5_000;
    static final int MIN_GENERIC_LENGTH = 20;
    static final double MIN_GENERIC_ENTROPY = 3.5;

    static final Set<String> LOCK_FILES = Set.of(
            "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "bun.lock");
    private static final List<String> MINIFIED_SUFFIXES = List.of(
            ".min.js", ".min.mjs", ".min.cjs", ".min.css", ".map");
    private static final Set<String> CODE_EXTENSIONS = Set.of(
            "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte", "astro", "html", "htm", "py", "rb", "go", "java", "kt", "php");

    static final String AWS_EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE";

    private static final Pattern JWT = Pattern.compile(
            "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\\.(eyJ[A-Za-z0-9_-]{2,})\\.[A-Za-z0-9_-]+");
    private static final Pattern SB_SECRET = Pattern.compile("(?<![A-Za-z0-9_])sb_secret_[A-Za-z0-9_-]{10,}");
    private static final Pattern STRIPE = Pattern.compile("(?<![A-Za-z0-9_])([sr])k_(live|test)_[0-9a-zA-Z]{10,}");
    private static final Pattern AWS_KEY_ID = Pattern.compile("(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])");
    private static final Pattern AWS_SECRET_VALUE = Pattern.compile("[A-Za-z0-9/+=]{40}");
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (?:RSA |EC |OPENSSH |DSA |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----");
    /**
     * {@code name = "v"}, {@code name: 'v'}, {@code NAME=v}, {@code "name": "v"}, {@code name := v}. Group 1 is
     * the name; groups 2, 3, 4 a double-, single- or backtick-quoted value; group 5 an unquoted one.
     * Possessive quantifiers: no backtracking on hostile lines.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?<![A-Za-z0-9_$])([A-Za-z_$][A-Za-z0-9_.$-]*+)[\"'`]?\\s*+(?::=|=|:)\\s*+"
                    + "(?:\"((?:\\\\.|[^\"\\\\])*+)\"|'((?:\\\\.|[^'\\\\])*+)'|`((?:\\\\.|[^`\\\\])*+)`"
                    + "|([^\\s\"'`,;#(){}\\[\\]<>]++))");
    private static final Pattern IDENTIFIER_CHAIN = Pattern.compile("[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*");
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)^(?:bearer|basic|token)\\s+");
    private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[^A-Za-z0-9]+");

    private static final List<String> SECRET_NAME_PARTS = List.of(
            "secret", "token", "password", "passwd", "passphrase", "apikey", "privatekey", "clientsecret",
            "accesskey", "signingkey", "encryptionkey", "credential", "auth");
    /** Whole words that make a name not a secret (public keys, or things about a secret rather than it). */
    private static final Set<String> NON_SECRET_NAME_WORDS = Set.of(
            "public", "publishable", "anon", "example", "examples", "placeholder", "sample", "dummy",
            "author", "authors", "authority", "domain", "url", "urls", "uri", "endpoint", "host", "path",
            "redirect", "callback", "label", "message", "msg", "error", "text", "title", "hint", "description",
            "desc", "name", "storage", "type", "field", "input", "header", "headers", "length", "route", "page",
            "provider", "mode", "id", "expires", "expiry", "expiration", "ttl", "timeout", "format", "pattern",
            "regex", "prefix", "schema", "policy", "min", "max");
    private static final List<String> PLACEHOLDER_PREFIXES = List.of(
            "your", "xxx", "process.env", "import.meta.env", "env(", "http://", "https://", "/", "./", "../", "sb_publishable_",
            "pk_live_", "pk_test_", "aiza");
    private static final List<String> PLACEHOLDER_WORDS = List.of(
            "example", "placeholder", "changeme", "change-me", "change_me", "replace", "dummy", "redacted", "insert",
            "${", "{{", "xxxx", "****", "....");

    private static final ObjectMapper JWT_JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build())
            .build();

    public SecretScanner() {
    }

    /** Scans {@code files} (relative to {@code root}, '/'-separated); findings sorted by file, then line. */
    public List<Finding> scan(Path root, List<String> files) {
        Path base;
        try {
            base = root.toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (String file : new LinkedHashSet<>(files)) {
            String text = readScannable(base, file);
            if (text != null) {
                scanText(relative(base, file), text, out);
            }
        }
        out.sort(Comparator.comparing(Finding::file).thenComparing(Finding::line));
        return out;
    }

    /**
     * Scans one file's bytes (a pushed blob) by the same rules as {@link #scan}: lock files,
     * minified files, binaries and files over {@link #MAX_FILE_BYTES} are not read.
     */
    public List<Finding> scanContent(String file, byte[] bytes) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        String lower = name.toLowerCase(Locale.ROOT);
        if (LOCK_FILES.contains(name) || MINIFIED_SUFFIXES.stream().anyMatch(lower::endsWith) || bytes.length > MAX_FILE_BYTES) {
            return List.of();
        }
        for (int i = 0, n = Math.min(bytes.length, BINARY_SNIFF_BYTES); i < n; i++) {
            if (bytes[i] == 0) {
                return List.of();
            }
        }
        List<Finding> out = new ArrayList<>();
        scanText(file, new String(bytes, StandardCharsets.UTF_8), out);
        out.sort(Comparator.comparing(Finding::line));
        return out;
    }

    private static String relative(Path base, String file) {
        return base.relativize(base.resolve(file).normalize()).toString().replace('\\', '/');
    }

    /** The file's text, or null when it must not or need not be scanned. */
    private static String readScannable(Path base, String file) {
        if (file == null || file.isEmpty()) {
            return null;
        }
        String name = file.substring(file.lastIndexOf('/') + 1);
        String lower = name.toLowerCase(Locale.ROOT);
        if (LOCK_FILES.contains(name) || MINIFIED_SUFFIXES.stream().anyMatch(lower::endsWith)) {
            return null;
        }
        try {
            Path p = base.resolve(file).normalize();
            if (!p.startsWith(base)) {
                return null;
            }
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile() || attrs.size() > MAX_FILE_BYTES || !p.toRealPath().startsWith(base)) {
                return null;
            }
            byte[] bytes = Files.readAllBytes(p);
            if (bytes.length > MAX_FILE_BYTES) {
                return null;
            }
            for (int i = 0, n = Math.min(bytes.length, BINARY_SNIFF_BYTES); i < n; i++) {
                if (bytes[i] == 0) {
                    return null;
                }
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Scans one file's text into {@code out} (unsorted). */
    void scanText(String file, String text, List<Finding> out) {
        boolean code = CODE_EXTENSIONS.contains(extension(file));
        int lineNo = 0;
        int pos = 0;
        int n = text.length();
        while (pos <= n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            lineNo++;
            int end = eol > pos && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            String line = text.substring(pos, Math.min(end, pos + MAX_LINE_CHARS));
            scanLine(file, lineNo, line, code, out);
            pos = eol + 1;
        }
    }

    private static String extension(String file) {
        int slash = file.lastIndexOf('/');
        int dot = file.lastIndexOf('.');
        return dot > slash ? file.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private void scanLine(String file, int line, String text, boolean code, List<Finding> out) {
        if (text.isBlank()) {
            return;
        }
        Set<String> seen = new HashSet<>();

        // Cheap literal checks first: most lines of an app hold no candidate at all, and the
        // regular expressions below cost far more than a scan for their fixed parts.
        Matcher m = PRIVATE_KEY.matcher(text);
        while (text.contains("-----BEGIN") && m.find()) {
            add(out, seen, file, line, "private-key", Finding.CRITICAL, m.group(), m.group(),
                    "Private key in the source; treat it as compromised, replace it, and load it from a secret store instead.");
        }

        m = JWT.matcher(text);
        while (text.contains("eyJ") && m.find()) {
            String token = m.group();
            if ("service_role".equals(jwtRole(m.group(1)))) {
                add(out, seen, file, line, "supabase-service-role-key", Finding.CRITICAL, token, Redaction.redact(token),
                        "Supabase service_role key in the source; it bypasses Row Level Security, so rotate it and keep it only in server-side environment variables.");
            }
            seen.add(token); // any JWT is this rule's call: anon keys are public, so no other rule reports them
        }

        m = SB_SECRET.matcher(text);
        while (text.contains("sb_secret_") && m.find()) {
            add(out, seen, file, line, "supabase-secret-key", Finding.CRITICAL, m.group(), Redaction.redact(m.group()),
                    "Supabase secret API key in the source; it bypasses Row Level Security, so rotate it and keep it only in server-side environment variables.");
        }

        m = TokenFormat.PATTERN.matcher(text);
        while (text.contains(TokenFormat.PREFIX) && m.find()) {
            // The checksum tells a real Slipway token from a look-alike (docs, tests), as GitHub's scanners do.
            if (TokenFormat.isWellFormed(m.group())) {
                add(out, seen, file, line, "slipway-token", Finding.CRITICAL, m.group(), Redaction.redact(m.group()),
                        "Slipway API token in the source; revoke it (DELETE /tokens/{tokenId}) and give the tool a new one through its secret settings.");
            }
        }

        m = STRIPE.matcher(text);
        while ((text.contains("k_live_") || text.contains("k_test_")) && m.find()) {
            String kind = m.group(1).equals("r") ? "restricted" : "secret";
            if (m.group(2).equals("live")) {
                add(out, seen, file, line, "stripe-live-secret-key", Finding.CRITICAL, m.group(), Redaction.redact(m.group()),
                        "Stripe live " + kind + " key in the source; roll it in the Stripe dashboard and move it to a server-side environment variable.");
            } else {
                add(out, seen, file, line, "stripe-test-key", Finding.INFO, m.group(), Redaction.redact(m.group()),
                        "Stripe test-mode " + kind + " key in the source; it cannot move real money, but move it to a server-side environment variable.");
            }
        }

        m = AWS_KEY_ID.matcher(text);
        while ((text.contains("AKIA") || text.contains("ASIA")) && m.find()) {
            if (m.group().equals(AWS_EXAMPLE_KEY_ID)) {
                seen.add(m.group());
                continue;
            }
            add(out, seen, file, line, "aws-access-key-id", Finding.CRITICAL, m.group(), Redaction.redact(m.group()),
                    "AWS access key ID in the source; deactivate the key in IAM, check CloudTrail for its use, and move credentials to environment variables.");
        }

        if (!mayNameASecret(text)) {
            return;
        }
        m = ASSIGNMENT.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            boolean quoted = value != null;
            if (!quoted) {
                value = m.group(5);
            }
            if (value == null || value.isEmpty()) {
                continue;
            }
            if (!quoted && code && (m.end() < text.length() && text.charAt(m.end()) == '('
                    || IDENTIFIER_CHAIN.matcher(value).matches())) {
                continue; // a call or variable, not a literal
            }
            value = AUTH_SCHEME.matcher(value).replaceFirst("");
            if (alreadyHandled(seen, value)) {
                continue;
            }
            String compact = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
            if (compact.contains("aws") && compact.contains("secret") && AWS_SECRET_VALUE.matcher(value).matches()
                    && !isPlaceholder(value)) {
                add(out, seen, file, line, "aws-secret-access-key", Finding.CRITICAL, value, Redaction.redact(value),
                        "AWS secret access key in the source; deactivate the key pair in IAM and move credentials to environment variables.");
                continue;
            }
            if (looksLikeSecretName(name) && looksLikeSecretValue(value)) {
                add(out, seen, file, line, "generic-high-entropy-secret", Finding.WARNING, value, Redaction.redact(value),
                        "Value of \"" + name + "\" looks like a hard-coded secret; if it is real, rotate it and move it to an environment variable.");
            }
        }
    }

    /** True when the line holds any fragment a secret-looking name is made of (checked before the assignment regex). */
    private static boolean mayNameASecret(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String part : NAME_HINTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    private static final List<String> NAME_HINTS = List.of(
            "secret", "token", "pass", "key", "credential", "auth", "aws");

    private static boolean alreadyHandled(Set<String> seen, String value) {
        for (String s : seen) {
            if (value.contains(s)) {
                return true;
            }
        }
        return false;
    }

    private static void add(List<Finding> out, Set<String> seen, String file, int line, String rule, String severity,
                            String value, String redacted, String message) {
        if (seen.add(value)) {
            out.add(new Finding(rule, severity, file, line, redacted, message));
        }
    }

    /** The {@code role} claim of a JWT payload (base64url JSON), or null if it has none or is not JSON. */
    static String jwtRole(String payload) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(payload);
            JsonNode node = JWT_JSON.readTree(json);
            JsonNode role = node == null ? null : node.get("role");
            return role != null && role.isTextual() ? role.textValue() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static boolean looksLikeSecretName(String name) {
        String compact = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (SECRET_NAME_PARTS.stream().noneMatch(compact::contains)) {
            return false;
        }
        for (String word : CAMEL.split(name)) {
            if (NON_SECRET_NAME_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    static boolean looksLikeSecretValue(String value) {
        return value.length() >= MIN_GENERIC_LENGTH
                && value.chars().noneMatch(Character::isWhitespace)
                && !isPlaceholder(value)
                && entropy(value) >= MIN_GENERIC_ENTROPY;
    }

    static boolean isPlaceholder(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.startsWith("<") && v.endsWith(">")) {
            return true;
        }
        for (String p : PLACEHOLDER_PREFIXES) {
            if (v.startsWith(p)) {
                return true;
            }
        }
        for (String w : PLACEHOLDER_WORDS) {
            if (v.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** Shannon entropy in bits per character. */
    static double entropy(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        for (int c : counts.values()) {
            double p = (double) c / s.length();
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }
}
