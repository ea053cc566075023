package dev.slipway.shared.store;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The paging every list shares: the {@code limit} a caller asks for and opaque {@code cursor}s
 * (a position, a key or a path, as URL-safe base64). What a caller gets wrong is an
 * {@link DomainError#INVALID_QUERY} (400 at the edge).
 */
public final class Cursors {
    private Cursors() {
    }

    /** {@code limit} as asked: absent gives the default; anything but 1..max is refused. */
    public static int limit(String param, int dflt, int max) {
        if (param == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(param);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new DomainException(DomainError.INVALID_QUERY, "limit must be a whole number from 1 to " + max);
    }

    /** A position (a key, a path) as a URL-safe cursor. */
    public static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor holds; a cursor that is not base64url is refused. The caller checks the position. */
    public static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    /** A cursor this API never handed out. */
    public static DomainException invalid() {
        return new DomainException(DomainError.INVALID_QUERY, "cursor is not one this API handed out");
    }
}
