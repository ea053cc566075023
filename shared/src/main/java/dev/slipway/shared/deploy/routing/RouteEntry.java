package dev.slipway.shared.deploy.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the router holds for a host label: the release it serves and, for a protected preview, the
 * SHA-256 of its preview token. The one place the stored value's format lives ({@code releaseId}
 * public, {@code releaseId:sha256hex} protected); functions/edge/viewer-request.js reads the same.
 */
public record RouteEntry(String releaseId, String tokenSha256) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public RouteEntry {
        if (!SiteAddress.isReleaseId(releaseId)) {
            throw new IllegalArgumentException("not a release id (lowercase ULID): " + releaseId);
        }
        if (tokenSha256 != null && !isSha256Hex(tokenSha256)) {
            throw new IllegalArgumentException("not a lowercase hex SHA-256");
        }
    }

    public static RouteEntry of(String releaseId) {
        return new RouteEntry(releaseId, null);
    }

    public static boolean isSha256Hex(String s) {
        return s != null && SHA256_HEX.matcher(s).matches();
    }

    public boolean isProtected() {
        return tokenSha256 != null;
    }

    public String encode() {
        return tokenSha256 == null ? releaseId : releaseId + ":" + tokenSha256;
    }

    /** Empty when the value is not one {@link #encode} makes (a bare release id, as stored before tokens, is). */
    public static Optional<RouteEntry> decode(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int colon = value.indexOf(':');
        String release = colon < 0 ? value : value.substring(0, colon);
        String hash = colon < 0 ? null : value.substring(colon + 1);
        if (!SiteAddress.isReleaseId(release) || (hash != null && !isSha256Hex(hash))) {
            return Optional.empty();
        }
        return Optional.of(new RouteEntry(release, hash));
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
        return "RouteEntry[" + releaseId + (tokenSha256 == null ? "" : ", protected") + "]";
    }
}
