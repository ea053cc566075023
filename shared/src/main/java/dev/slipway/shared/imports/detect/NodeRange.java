package dev.slipway.shared.imports.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of npm's semver ranges to answer "does {@code engines.node} allow some Node.js N.x?":
 * {@code ||} alternatives of space-separated comparators ({@code >=}, {@code >}, {@code <=}, {@code <},
 * {@code =}, {@code ^}, {@code ~}, bare or {@code x}/{@code *} partial versions, an optional {@code v})
 * and hyphen ranges ({@code 18 - 20}). Pre-release tags are ignored. Each alternative becomes one
 * half-open interval {@code [lo, hi)} over encoded versions.
 */
final class NodeRange {
    private static final long MAJOR = 1_000_000_000_000L;
    private static final long MINOR = 1_000_000L;
    private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~>?)?v?(\\*|x|X|\\d+(?:\\.(?:\\d+|x|X|\\*)){0,2})(?:[-+][0-9A-Za-z.-]*)?");
    private static final Pattern HYPHEN = Pattern.compile("(\\S+)\\s+-\\s+(\\S+)");

    private NodeRange() {
    }

    /** The range as intervals {@code {lo, hi}}, one per alternative; null when it cannot be read. */
    static List<long[]> parse(String range) {
        if (range == null || range.length() > 200) {
            return null;
        }
        List<long[]> out = new ArrayList<>();
        for (String alt : range.split("\\|\\|", -1)) {
            String a = alt.strip().replaceAll("(>=|<=|>|<|=|\\^|~>?)\\s+", "$1");
            long[] interval = {0, Long.MAX_VALUE};
            Matcher h = HYPHEN.matcher(a);
            if (h.matches()) {
                long[] from = comparator(h.group(1));
                long[] to = comparator(h.group(2));
                if (from == null || to == null) {
                    return null;
                }
                out.add(new long[]{from[0], to[1]});
                continue;
            }
            if (!a.isEmpty()) {
                for (String c : a.split("\\s+")) {
                    long[] i = comparator(c);
                    if (i == null) {
                        return null;
                    }
                    interval[0] = Math.max(interval[0], i[0]);
                    interval[1] = Math.min(interval[1], i[1]);
                }
            }
            out.add(interval);
        }
        return out;
    }

    /** True when some version {@code major.x.y} lies in one of the intervals. */
    static boolean allowsMajor(List<long[]> intervals, int major) {
        long lo = major * MAJOR;
        long hi = (major + 1) * MAJOR;
        for (long[] i : intervals) {
            if (Math.max(lo, i[0]) < Math.min(hi, i[1])) {
                return true;
            }
        }
        return false;
    }

    private static long[] comparator(String c) {
        Matcher m = COMPARATOR.matcher(c);
        if (!m.matches()) {
            return null;
        }
        String op = m.group(1) == null ? "" : m.group(1);
        String[] parts = m.group(2).split("\\.");
        long[] v = new long[3];
        int given = 0;
        for (; given < parts.length; given++) {
            String p = parts[given];
            if (p.equals("x") || p.equals("X") || p.equals("*")) {
                break;
            }
            if (p.length() > 6) {
                return null;
            }
            v[given] = Long.parseLong(p);
        }
        if (given == 0) {
            return op.equals("<") || op.equals(">") ? new long[]{0, 0} : new long[]{0, Long.MAX_VALUE};
        }
        long lower = v[0] * MAJOR + v[1] * MINOR + v[2];
        long upper = switch (given) { // first version above everything the partial version names
            case 1 -> (v[0] + 1) * MAJOR;
            case 2 -> v[0] * MAJOR + (v[1] + 1) * MINOR;
            default -> lower + 1;
        };
        return switch (op) {
            case ">=" -> new long[]{lower, Long.MAX_VALUE};
            case ">" -> new long[]{upper, Long.MAX_VALUE};
            case "<" -> new long[]{0, lower};
            case "<=" -> new long[]{0, upper};
            case "^" -> new long[]{lower, v[0] > 0 || given == 1 ? (v[0] + 1) * MAJOR
                    : v[1] > 0 || given == 2 ? v[0] * MAJOR + (v[1] + 1) * MINOR : lower + 1};
            case "~", "~>" -> new long[]{lower, given == 1 ? (v[0] + 1) * MAJOR : v[0] * MAJOR + (v[1] + 1) * MINOR};
            default -> new long[]{lower, upper};
        };
    }
}
