package dev.slipway.shared.deploy.routing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a request names a file of a release: the rules of functions/edge/viewer-request.js, in Java
 * for the local edge. Host {@code {appId}.…} is production (router key {@code appId}),
 * {@code {releaseId}--{appId}.…} a release (no lookup), {@code {preview}--{appId}.…} a preview
 * (router key is the whole label). Only the first label of the host counts.
 */
public final class SiteAddress {
    private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{1,39}");
    private static final Pattern RELEASE = Pattern.compile("[0-9a-hjkmnp-tv-z]{26}");
    private static final Pattern PREVIEW = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");

    /** Where a host points: a router key to look up, or a release id already known. */
    public record Target(String appId, String routerKey, String releaseId) {
        public boolean needsLookup() {
            return releaseId == null;
        }
    }

    private SiteAddress() {
    }

    public static boolean isAppId(String s) {
        return s != null && APP.matcher(s).matches() && !s.contains("--") && !s.endsWith("-");
    }

    public static boolean isReleaseId(String s) {
        return s != null && RELEASE.matcher(s).matches();
    }

    /** A key the router may hold: {@code appId} or {@code preview--appId} (never a release label). */
    public static boolean isRouterKey(String s) {
        Optional<Target> t = parseHost(s);
        return t.isPresent() && t.get().needsLookup() && s.equals(t.get().routerKey());
    }

    /** Empty when the host is malformed (a 400). */
    public static Optional<Target> parseHost(String host) {
        String first = host == null ? "" : host.toLowerCase(Locale.ROOT);
        int colon = first.indexOf(':');
        if (colon >= 0) {
            first = first.substring(0, colon);
        }
        int dot = first.indexOf('.');
        if (dot >= 0) {
            first = first.substring(0, dot);
        }
        int at = first.indexOf("--");
        if (at < 0) {
            return isAppId(first) ? Optional.of(new Target(first, first, null)) : Optional.empty();
        }
        String label = first.substring(0, at);
        String appId = first.substring(at + 2);
        if (!isAppId(appId)) {
            return Optional.empty();
        }
        if (isReleaseId(label)) {
            return Optional.of(new Target(appId, null, label));
        }
        if (PREVIEW.matcher(label).matches() && !label.contains("--")) {
            return Optional.of(new Target(appId, first, null));
        }
        return Optional.empty();
    }

    /**
     * The decoded path inside the release ({@code /index.html} for {@code /} and extension-less
     * paths), or empty when it is malformed or could climb out of the release (a 400).
     */
    public static Optional<String> releasePath(String rawPath) {
        Optional<String> decoded = percentDecode(rawPath == null ? "" : rawPath);
        if (decoded.isEmpty()) {
            return Optional.empty();
        }
        String path = decoded.get();
        if (!path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        String[] segments = path.split("/", -1);
        for (String s : segments) {
            if (s.equals("..") || s.equals(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(segments[segments.length - 1].contains(".") ? path : "/index.html");
    }

    /**
     * The decoded path as asked ({@code /}, {@code /_next/static/x.js}), checked like {@link #releasePath} but
     * not mapped to {@code /index.html}: what a release with a server looks up among its files before asking
     * its server.
     */
    public static Optional<String> requestPath(String rawPath) {
        return releasePath(rawPath).flatMap(mapped -> percentDecode(rawPath));
    }

    /** The S3 key of a file of a release: {@code sites/{appId}/{releaseId}{path}}. */
    public static String objectKey(String appId, String releaseId, String path) {
        return "sites/" + appId + "/" + releaseId + path;
    }

    /** Strict like JavaScript's decodeURIComponent: bad escapes or bad UTF-8 are an error. '+' stays. */
    static Optional<String> percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return Optional.of(s);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(b);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
