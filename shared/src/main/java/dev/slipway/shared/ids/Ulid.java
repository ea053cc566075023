package dev.slipway.shared.ids;

import java.security.SecureRandom;
import java.time.Instant;

/** ULIDs: 26 Crockford base-32 characters, time-ordered, 80 random bits. Ids for imports, uploads … */
public final class Ulid {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ulid() {
    }

    public static String next(Instant time) {
        long ms = time.toEpochMilli();
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (ms & 31)];
            ms >>>= 5;
        }
        // 80 random bits → 16 characters of 5 bits.
        long hi = ((random[0] & 0xffL) << 32) | ((random[1] & 0xffL) << 24) | ((random[2] & 0xffL) << 16)
                | ((random[3] & 0xffL) << 8) | (random[4] & 0xffL);
        long lo = ((random[5] & 0xffL) << 32) | ((random[6] & 0xffL) << 24) | ((random[7] & 0xffL) << 16)
                | ((random[8] & 0xffL) << 8) | (random[9] & 0xffL);
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }

    public static boolean isValid(String s) {
        return s != null && s.matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
    }
}
