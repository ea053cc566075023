package dev.slipway.shared.auth;

import dev.slipway.shared.ids.Ulid;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The scoped token's text: {@code slwt_}, the token id (a ULID), 32 random base-62 characters (190 bits)
 * and a 6-character base-62 CRC32 of all before it. The prefix lets secret scanners find a leaked token
 * and the checksum lets them (and us, before any lookup) tell a real one from a look-alike, as GitHub's
 * {@code ghp_} tokens do. The id inside lets the check read one item instead of searching by hash.
 */
public final class TokenFormat {
    public static final String PREFIX = "slwt_";
    static final int ID_LENGTH = 26;
    static final int SECRET_LENGTH = 32;
    static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX.length() + ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
    /** What a scanner looks for; {@link #isWellFormed} then checks the checksum. */
    public static final Pattern PATTERN = Pattern.compile("\\bslwt_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{38}\\b");
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {
    }

    public static String newId(Instant now) {
        return Ulid.next(now);
    }

    /** A new token for {@code id}: only its SHA-256 is ever stored. */
    public static String generate(String id) {
        StringBuilder b = new StringBuilder(LENGTH).append(PREFIX).append(id);
        for (int i = 0; i < SECRET_LENGTH; i++) {
            b.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return b.append(checksum(b)).toString();
    }

    /** {@code n} random base-62 characters (5.95 bits each): the secret part of tokens and hook URLs. */
    public static String randomBase62(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return b.toString();
    }

    /** Prefix, id, alphabet, length and checksum all right (says nothing about whether it was issued). */
    public static boolean isWellFormed(String token) {
        if (token == null || token.length() != LENGTH || !token.startsWith(PREFIX)) {
            return false;
        }
        String body = token.substring(0, LENGTH - CHECKSUM_LENGTH);
        return Ulid.isValid(idOf(token)) && PATTERN.matcher(token).matches()
                && checksum(body).equals(token.substring(LENGTH - CHECKSUM_LENGTH));
    }

    /** The token id inside a well-formed token. */
    public static String idOf(String token) {
        return token.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
    }

    static String checksum(CharSequence body) {
        CRC32 crc = new CRC32();
        crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = BASE62[(int) (v % 62)];
            v /= 62;
        }
        return new String(out);
    }
}
