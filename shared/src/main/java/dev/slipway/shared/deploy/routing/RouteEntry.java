package dev.slipway.shared.deploy.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the router holds for a host label: the release it serves, for a protected preview the
 * SHA-256 of its preview token, and for a full-stack release in AWS its {@link ServerRoute}. The one
 * place the stored value's format lives ({@code releaseId} public, {@code releaseId:sha256hex}
 * protected, either followed by {@code ;framework;host;secret} for a server);
 * functions/edge/viewer-request.js reads the same.
 */
public record RouteEntry(String releaseId, String tokenSha256, ServerRoute server) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public RouteEntry {
        if (!SiteAddress.isReleaseId(releaseId)) {
            throw new IllegalArgumentException("not a release id (lowercase ULID): " + releaseId);
        }
        if (tokenSha256 != null && !isSha256Hex(tokenSha256)) {
            throw new IllegalArgumentException("not a lowercase hex SHA-256");
        }
    }

    public RouteEntry(String releaseId, String tokenSha256) {
        this(releaseId, tokenSha256, null);
    }

    public static RouteEntry of(String releaseId) {
        return new RouteEntry(releaseId, null);
    }

    /** The same entry with the release's server route (null: static files only). */
    public RouteEntry withServer(ServerRoute route) {
        return new RouteEntry(releaseId, tokenSha256, route);
    }

    public static boolean isSha256Hex(String s) {
        return s != null && SHA256_HEX.matcher(s).matches();
    }

    public boolean isProtected() {
        return tokenSha256 != null;
    }

    public String encode() {
        String base = tokenSha256 == null ? releaseId : releaseId + ":" + tokenSha256;
        return server == null ? base : base + ";" + server.encode();
    }

    /** Empty when the value is not one {@link #encode} makes (a bare release id, as stored before tokens, is). */
    public static Optional<RouteEntry> decode(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int semi = value.indexOf(';');
        String head = semi < 0 ? value : value.substring(0, semi);
        int colon = head.indexOf(':');
        String release = colon < 0 ? head : head.substring(0, colon);
        String hash = colon < 0 ? null : head.substring(colon + 1);
        if (!SiteAddress.isReleaseId(release) || (hash != null && !isSha256Hex(hash))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RouteEntry(release, hash, semi < 0 ? null : ServerRoute.decode(value.substring(semi + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True for a public entry, or when {@code token} hashes to this entry's hash (constant-time compare). */
    public boolean admits(String token) {
        if (tokenSha256 == null) {
            return true;
        }
        if (token == null || token.isEmpty() || token.length() > 256) {
            return false;
        }
        return MessageDigest.isEqual(sha256Hex(token).getBytes(StandardCharsets.US_ASCII),
                tokenSha256.getBytes(StandardCharsets.US_ASCII));
    }

    /** Lowercase hex SHA-256 of the token's UTF-8 bytes (its ASCII for a real token). */
    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        // The hash is not a secret, but logs need no more than whether the entry is protected.
        return "RouteEntry[" + releaseId + (tokenSha256 == null ? "" : ", protected")
                + (server == null ? "" : ", " + server) + "]";
    }
}
