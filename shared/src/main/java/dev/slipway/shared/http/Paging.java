package dev.slipway.shared.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The paging every list route shares: the {@code limit} parameter and opaque {@code cursor}s. */
public final class Paging {
    private Paging() {
    }

    /** {@code limit} from the query: absent gives the default; anything but 1..max is a 400. */
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
        throw new ProblemException(ProblemType.INVALID_QUERY, "limit must be a whole number from 1 to " + max);
    }

    /** A position (a key, a path) as a URL-safe cursor. */
    public static String encodeCursor(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor holds; a cursor that is not base64url is a 400. The caller checks the position. */
    public static String decodeCursor(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalidCursor();
        }
    }

    public static ProblemException invalidCursor() {
        return new ProblemException(ProblemType.INVALID_QUERY, "cursor is not one this API handed out");
    }
}
