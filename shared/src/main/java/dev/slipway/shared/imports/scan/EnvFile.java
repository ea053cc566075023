package dev.slipway.shared.imports.scan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads dotenv files ({@code .env}, {@code .env.local}, ...) the way the common {@code dotenv}
 * loaders do, so an import can tell which names an app expects and which values it carried.
 *
 * <ul>
 *   <li>{@code KEY=value}, optionally preceded by {@code export }; spaces around {@code =} are allowed.</li>
 *   <li>Lines whose first non-blank character is {@code #} are comments; blank lines are skipped.</li>
 *   <li>Single-quoted (and backtick-quoted) values are literal and may span lines.</li>
 *   <li>Double-quoted values may span lines and understand {@code \n}, {@code \r}, {@code \t},
 *       {@code \"} and {@code \\}; any other backslash is kept as written.</li>
 *   <li>Anything after a closing quote on the same line is ignored (usually a comment). A quote
 *       that is never closed is taken literally up to the end of its line.</li>
 *   <li>Unquoted values end at the end of the line, lose an inline comment that starts with
 *       whitespace followed by {@code #}, and are trimmed ({@code a#b} keeps its {@code #}).</li>
 *   <li>Keys must match {@code [A-Za-z_][A-Za-z0-9_.-]*}; other lines (no {@code =}, bad key) are
 *       skipped. A later key replaces the value of an earlier one (keeping its first position).</li>
 * </ul>
 */
public final class EnvFile {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    /** {@code .env*} names that hold no secrets by convention and stay ordinary files (lower case). */
    private static final Set<String> KEPT = Set.of(".env.example", ".env.sample", ".env.template");

    private EnvFile() {
    }

    /**
     * Whether a file name (the last path segment) is an env file that an import takes out of the
     * tree: {@code .env*} in any letter case ({@code .ENV}, {@code .Env.local}), except
     * {@code .env.example}, {@code .env.sample} and {@code .env.template} (also in any case).
     */
    public static boolean isEnvFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith(".env") && !KEPT.contains(lower);
    }

    public static LinkedHashMap<String, String> parse(String text) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        String s = text.replace("\r\n", "\n").replace('\r', '\n');
        if (s.charAt(0) == '\uFEFF') {
            s = s.substring(1);
        }
        int pos = 0;
        int n = s.length();
        while (pos < n) {
            int eol = s.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            int next = eol + 1;
            int i = skipBlanks(s, pos, eol);
            if (i >= eol || s.charAt(i) == '#') {
                pos = next;
                continue;
            }
            if (s.startsWith("export", i) && i + 6 < eol && isBlank(s.charAt(i + 6))) {
                i = skipBlanks(s, i + 6, eol);
            }
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq >= eol) {
                pos = next;
                continue;
            }
            String key = s.substring(i, eq).strip();
            if (!KEY.matcher(key).matches()) {
                pos = next;
                continue;
            }
            int v = skipBlanks(s, eq + 1, eol);
            char q = v < eol ? s.charAt(v) : 0;
            String value;
            if (q == '"' || q == '\'' || q == '`') {
                int close = findClose(s, v + 1, q);
                if (close < 0) {
                    value = s.substring(v + 1, eol).strip();
                } else {
                    String raw = s.substring(v + 1, close);
                    value = q == '"' ? unescape(raw) : raw;
                    int closeEol = s.indexOf('\n', close);
                    next = closeEol < 0 ? n : closeEol + 1;
                }
            } else {
                value = stripInlineComment(s.substring(v, eol)).strip();
            }
            out.put(key, value);
            pos = next;
        }
        return out;
    }

    private static int skipBlanks(String s, int i, int end) {
        while (i < end && isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\f' || c == '\u000B';
    }

    /** Index of the closing quote, honouring backslash escapes inside double quotes; -1 if none. */
    private static int findClose(String s, int from, char q) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (q == '"' && c == '\\' && i + 1 < s.length()) {
                i++;
            } else if (c == q) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String raw) {
        StringBuilder b = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\' || i + 1 == raw.length()) {
                b.append(c);
                continue;
            }
            char e = raw.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                default -> b.append('\\').append(e);
            }
        }
        return b.toString();
    }

    private static String stripInlineComment(String v) {
        for (int i = 1; i < v.length(); i++) {
            if (v.charAt(i) == '#' && isBlank(v.charAt(i - 1))) {
                return v.substring(0, i);
            }
        }
        return v.startsWith("#") ? "" : v;
    }
}
