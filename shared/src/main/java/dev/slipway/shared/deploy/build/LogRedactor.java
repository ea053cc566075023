package dev.slipway.shared.deploy.build;

import dev.slipway.shared.imports.scan.Redaction;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs build log lines: every given environment value of at least {@link #MIN_VALUE_LENGTH} characters
 * becomes {@code [redacted:NAME]}, in each form a build is likely to print it ({@link #forms}): literally,
 * base64 (standard and URL-safe, with and without padding, and the characters that encode only the value
 * wherever it starts inside a longer base64 text, e.g. {@code user:password} in a Basic header) and
 * percent-encoded ({@link URLEncoder}'s form, {@code encodeURIComponent}'s, and {@code %XX} of every byte,
 * upper- and lower-case hex). Overlapping matches are redacted as one run, named after the longest
 * match in it (so a value containing another is replaced whole). Then anything that looks like a vendor
 * token (JWT, Stripe, AWS key id, GitHub, npm, GitLab, Slack, Supabase secret, OpenAI/Anthropic, PEM
 * private-key header) becomes its {@link Redaction} form.
 *
 * <p>All forms of all values are matched in one pass over the line (Aho–Corasick), so redaction is
 * linear in the log's size whatever the number of values.
 */
public final class LogRedactor {
    static final int MIN_VALUE_LENGTH = 4;

    private static final Pattern TOKEN = Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:"
                    + "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]+"
                    + "|[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"
                    + "|(?:AKIA|ASIA)[0-9A-Z]{16}"
                    + "|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
                    + "|npm_[A-Za-z0-9]{30,}"
                    + "|glpat-[A-Za-z0-9_-]{20,}"
                    + "|xox[bpas]-[A-Za-z0-9-]{10,}"
                    + "|sb_secret_[A-Za-z0-9_-]{10,}"
                    + "|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
                    + ")");
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (?:RSA |EC |OPENSSH |DSA |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----");

    private final Automaton values;

    public LogRedactor(Map<String, String> values) {
        // Sorted by name: when two values share a form of equal length, the name shown does not depend on map order.
        Map<String, String> byName = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name != null && value != null && value.length() >= MIN_VALUE_LENGTH) {
                byName.put(name, value);
            }
        });
        Automaton a = new Automaton();
        byName.forEach((name, value) -> forms(value).forEach(form -> a.add(form, name)));
        a.build();
        this.values = a;
    }

    public String redact(String line) {
        if (line == null || line.isEmpty()) {
            return line;
        }
        String out = values.replace(line);
        Matcher m = TOKEN.matcher(out);
        if (m.find()) {
            StringBuilder sb = new StringBuilder();
            do {
                m.appendReplacement(sb, Matcher.quoteReplacement(Redaction.redact(m.group())));
            } while (m.find());
            m.appendTail(sb);
            out = sb.toString();
        }
        if (PRIVATE_KEY.matcher(out).find()) {
            return "[redacted: a private key]";
        }
        return out;
    }

    /** The texts {@code value} may appear as in a log; each is redacted. */
    static Set<String> forms(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        Set<String> out = new LinkedHashSet<>();
        out.add(value);
        // base64, whole: padded and not, both alphabets
        for (Base64.Encoder e : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String padded = e.encodeToString(bytes);
            out.add(padded);
            out.add(padded.replace("=", ""));
        }
        // base64 inside a longer base64 text: the value starting at byte offset 0, 1 or 2 of a 3-byte group.
        // Only the characters whose 6 bits all come from the value are the same whatever surrounds it.
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + bytes.length];
            System.arraycopy(bytes, 0, shifted, offset, bytes.length);
            String std = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            int from = (8 * offset + 5) / 6;
            int to = 8 * (offset + bytes.length) / 6;
            if (to - from >= MIN_VALUE_LENGTH) {
                String core = std.substring(from, to);
                out.add(core);
                out.add(core.replace('+', '-').replace('/', '_'));
            }
        }
        // percent-encodings: URLEncoder (space as +), encodeURIComponent, and every byte escaped
        String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
        out.add(form);
        out.add(lowerHexEscapes(form));
        String component = form.replace("+", "%20").replace("%21", "!").replace("%27", "'")
                .replace("%28", "(").replace("%29", ")").replace("%7E", "~");
        out.add(component);
        out.add(lowerHexEscapes(component));
        StringBuilder every = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            every.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
        out.add(every.toString());
        out.add(every.toString().toLowerCase(Locale.ROOT));
        return out;
    }

    private static String lowerHexEscapes(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c);
            if (c == '%' && i + 2 < s.length()) {
                sb.append(Character.toLowerCase(s.charAt(i + 1))).append(Character.toLowerCase(s.charAt(i + 2)));
                i += 2;
            }
        }
        return sb.toString();
    }

    /**
     * Aho–Corasick over many texts at once: one pass over a line finds, at each position, the longest
     * text ending there; the union of those spans is replaced, each run by the name of its longest text.
     */
    private static final class Automaton {
        /** Transitions: (state << 16 | char) → state. */
        private final Map<Long, Integer> next = new HashMap<>();
        /** Per state, by index: its children's characters (for the breadth-first build), depth, name of the text ending in it. */
        private final List<StringBuilder> children = new ArrayList<>();
        private final List<Integer> depth = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        /** Per state: the length and name of the longest text that ends in it (itself or a suffix), 0/null if none. */
        private int[] longest;
        private String[] longestName;
        private int[] fail;

        Automaton() {
            newState(0);
        }

        private int newState(int d) {
            children.add(new StringBuilder(0));
            depth.add(d);
            names.add(null);
            return depth.size() - 1;
        }

        private Integer step(int state, char c) {
            return next.get(((long) state << 16) | c);
        }

        void add(String text, String name) {
            int s = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                Integer t = step(s, c);
                if (t == null) {
                    t = newState(i + 1);
                    next.put(((long) s << 16) | c, t);
                    children.get(s).append(c);
                }
                s = t;
            }
            if (names.get(s) == null) {
                names.set(s, name);
            }
        }

        void build() {
            int n = depth.size();
            fail = new int[n];
            longest = new int[n];
            longestName = new String[n];
            Deque<Integer> queue = new ArrayDeque<>();
            CharSequence rootChildren = children.get(0);
            for (int i = 0; i < rootChildren.length(); i++) {
                queue.add(step(0, rootChildren.charAt(i)));
            }
            while (!queue.isEmpty()) {
                int s = queue.poll();
                if (names.get(s) != null) {
                    longest[s] = depth.get(s);
                    longestName[s] = names.get(s);
                } else {
                    longest[s] = longest[fail[s]];
                    longestName[s] = longestName[fail[s]];
                }
                CharSequence cs = children.get(s);
                for (int i = 0; i < cs.length(); i++) {
                    char c = cs.charAt(i);
                    int child = step(s, c);
                    int f = fail[s];
                    Integer to;
                    while ((to = step(f, c)) == null && f != 0) {
                        f = fail[f];
                    }
                    fail[child] = to == null ? 0 : to;
                    queue.add(child);
                }
            }
            children.clear();
        }

        String replace(String line) {
            if (depth.size() == 1) {
                return line;
            }
            // Runs to redact as [start, end) with the name of the longest match; merged while they overlap.
            int[] starts = new int[8];
            int[] ends = new int[8];
            int[] lengths = new int[8];
            String[] runNames = new String[8];
            int runs = 0;
            int s = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                Integer t;
                while ((t = step(s, c)) == null && s != 0) {
                    s = fail[s];
                }
                s = t == null ? 0 : t;
                int len = longest[s];
                if (len == 0) {
                    continue;
                }
                int start = i + 1 - len, end = i + 1;
                String name = longestName[s];
                // Merge with the earlier runs it overlaps (one starting earlier can swallow several).
                while (runs > 0 && start < ends[runs - 1]) {
                    runs--;
                    if (lengths[runs] > len) {
                        len = lengths[runs];
                        name = runNames[runs];
                    }
                    start = Math.min(start, starts[runs]);
                }
                if (runs == starts.length) {
                    starts = Arrays.copyOf(starts, runs * 2);
                    ends = Arrays.copyOf(ends, runs * 2);
                    lengths = Arrays.copyOf(lengths, runs * 2);
                    runNames = Arrays.copyOf(runNames, runs * 2);
                }
                starts[runs] = start;
                ends[runs] = end;
                lengths[runs] = len;
                runNames[runs] = name;
                runs++;
            }
            if (runs == 0) {
                return line;
            }
            StringBuilder out = new StringBuilder(line.length());
            int at = 0;
            for (int r = 0; r < runs; r++) {
                out.append(line, at, starts[r]).append("[redacted:").append(runNames[r]).append(']');
                at = ends[r];
            }
            return out.append(line, at, line.length()).toString();
        }
    }
}
