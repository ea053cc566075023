package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Checks {@code Authorization: Bearer <admin token>}. Only the token's SHA-256 is known here; the
 * comparison is constant-time and the token itself is never logged or echoed.
 */
public final class AdminAuth {
    private static final int MAX_TOKEN_LENGTH = 512;

    private final Supplier<String> expectedSha256Hex;

    public AdminAuth(Supplier<String> expectedSha256Hex) {
        this.expectedSha256Hex = expectedSha256Hex;
    }

    /**
     * @param header the request's {@code Authorization} header, or null when it has none; the
     *     HTTP edge reads it, so this check stays free of HTTP types
     * @return the caller's identity for scoping (idempotency keys): derived from the verified
     *     token's hash, so another token is another caller; it never reveals the token or its hash
     */
    public String require(String header) {
        if (header == null) {
            throw new DomainException(DomainError.UNAUTHORIZED, "Send Authorization: Bearer <admin token>");
        }
        String token = bearerToken(header);
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            throw new DomainException(DomainError.UNAUTHORIZED, "The Authorization header must be: Bearer <admin token>");
        }
        if (!matches(token)) {
            throw new DomainException(DomainError.UNAUTHORIZED, "The admin token is not valid");
        }
        return "admin:" + HexFormat.of().formatHex(AdminTokens.sha256("slipway-caller:" + AdminTokens.sha256Hex(token)));
    }

    /**
     * The id the admin token's caller has now ({@link Authenticator}'s admin principal): derived from the
     * expected hash, so a session made with an admin token that was since replaced no longer matches it.
     */
    String callerId() {
        return HexFormat.of().formatHex(AdminTokens.sha256("slipway-caller:" + expectedSha256Hex.get().trim().toLowerCase(Locale.ROOT)));
    }

    boolean matches(String token) {
        byte[] expected = HexFormat.of().parseHex(expectedSha256Hex.get().trim().toLowerCase(Locale.ROOT));
        // Both sides are 32-byte digests, so the compare does not leak the token's length either.
        return MessageDigest.isEqual(expected, AdminTokens.sha256(token));
    }

    /**
     * The token of a header that is exactly {@code Bearer} (any letter case), one space and the token:
     * nothing before or after it (no trimming: {@code String.trim} would also drop control characters
     * such as {@code \x01}), and a token of visible ASCII only. Anything else is null.
     */
    static String bearerToken(String header) {
        if (header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7);
        return token.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? token : null;
    }
}
