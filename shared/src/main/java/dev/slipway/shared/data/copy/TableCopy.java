package dev.slipway.shared.data.copy;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * One table's rows over the COPY protocol (pgjdbc's CopyManager), streamed with bounded memory
 * whatever the table's size. Text format: any Postgres of another version reads it back. While it
 * streams, the rows are counted and the bytes hashed (SHA-256): a table restored from that stream
 * and copied out again gives the same count and hash, which is how a backup is verified.
 */
public final class TableCopy {
    /** What a copy carried: rows, the SHA-256 of the COPY text, its length. */
    public record Stats(long rows, String sha256, long bytes) {
    }

    private TableCopy() {
    }

    /** Copies the table's rows out to {@code out} (left open). */
    public static Stats copyOut(Connection c, SchemaScript.TableRef table, OutputStream out) throws SQLException, IOException {
        CountingDigest counted = new CountingDigest(out);
        manager(c).copyOut("COPY " + table.qualified() + " TO STDOUT", counted);
        counted.flush();
        return counted.stats();
    }

    /** Copies rows in from {@code in} (COPY text, as {@link #copyOut} wrote it); answers the rows loaded. */
    public static long copyIn(Connection c, SchemaScript.TableRef table, InputStream in) throws SQLException, IOException {
        return manager(c).copyIn("COPY " + table.qualified() + " FROM STDIN", in, 1 << 16);
    }

    /** The table's stats as {@link #copyOut} would give them, without keeping the rows. */
    public static Stats stats(Connection c, SchemaScript.TableRef table) throws SQLException, IOException {
        return copyOut(c, table, OutputStream.nullOutputStream());
    }

    private static CopyManager manager(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    /** Passes bytes on while counting them and their newlines (one per row in COPY text) and hashing them. */
    static final class CountingDigest extends FilterOutputStream {
        private final MessageDigest digest;
        private long bytes;
        private long rows;

        CountingDigest(OutputStream out) {
            super(out);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            bytes += len;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    rows++;
                }
            }
            out.write(b, off, len);
        }

        Stats stats() {
            return new Stats(rows, HexFormat.of().formatHex(digest.digest()), bytes);
        }
    }
}
