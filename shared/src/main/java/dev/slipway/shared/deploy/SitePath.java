package dev.slipway.shared.deploy;

import java.util.regex.Pattern;

/** A site file's path inside a release: relative, '/'-separated, no dot segments, printable. */
public final class SitePath {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%\\- /\\[\\]]+");
    public static final int MAX_LENGTH = 900; // S3 keys stop at 1,024 bytes; the prefix takes the rest

    private SitePath() {
    }

    /** The path normalised (no leading slash), or IllegalArgumentException saying why not. */
    public static String check(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("empty file path");
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty() || p.length() > MAX_LENGTH || !SAFE.matcher(p).matches() || p.endsWith("/")) {
            throw new IllegalArgumentException("file path not allowed: " + abbreviate(path));
        }
        for (String segment : p.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("file path not allowed: " + abbreviate(path));
            }
        }
        return p;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
