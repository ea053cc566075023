package dev.slipway.shared.data.migrate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One migration of the app's repository: its name in the history table (the file name, or Prisma's folder), the
 * path it was read from, its SQL and the SHA-256 of its bytes as committed (so a changed applied migration is found).
 * {@code transactional} is false when its first line is {@value #NO_TRANSACTION}: it runs on its own, outside the
 * deploy's transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE), and cannot be rolled back.
 */
public record Migration(String name, String path, String sql, String checksum, boolean transactional) {
    public static final String NO_TRANSACTION = "-- slipway:no-transaction";

    public static Migration of(String name, String path, byte[] bytes) {
        String sql = new String(bytes, StandardCharsets.UTF_8);
        String first = sql.lines().findFirst().orElse("").strip();
        return new Migration(name, path, sql, sha256(bytes), !first.equalsIgnoreCase(NO_TRANSACTION));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
