package dev.slipway.shared.deploy;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Content type and cache policy of a site file, decided once when the release is staged. */
public final class ContentPolicy {
    public static final String IMMUTABLE = "public, max-age=31536000, immutable";
    public static final String NO_CACHE = "no-cache";
    /** Unhashed non-HTML files (favicon.ico, robots.txt): cache briefly, then revalidate by ETag. */
    public static final String SHORT = "public, max-age=300, must-revalidate";

    // Bundlers name assets name-<hash>.ext (Vite: index-BdF3x9Qa.js, webpack: main.3f9a1c2b.js): a run of
    // 8+ url-safe characters holding both a digit and a letter, right before the extension.
    private static final Pattern HASHED = Pattern.compile(
            ".*[.-](?=[A-Za-z0-9_-]*\\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{8,}\\.[a-z0-9]+$");

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("xml", "application/xml"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mp3", "audio/mpeg"));

    private ContentPolicy() {
    }

    public static String contentType(String path) {
        return TYPES.getOrDefault(extension(path), "application/octet-stream");
    }

    public static String cacheControl(String path) {
        String ext = extension(path);
        if (ext.equals("html") || ext.equals("htm")) {
            return NO_CACHE;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        return HASHED.matcher(name).matches() ? IMMUTABLE : SHORT;
    }

    /** Text worth compressing at the edge. */
    public static boolean compressible(String contentType) {
        return contentType.startsWith("text/") || contentType.startsWith("application/json")
                || contentType.startsWith("application/xml") || contentType.startsWith("image/svg")
                || contentType.startsWith("application/manifest");
    }

    static String extension(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
