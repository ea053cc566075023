package dev.slipway.shared.data.backup;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The plain layout inside a backup object (before compression and encryption): {@code "SLWB1\n"},
 * then sections — {@code 'S'} the schema script (JSON), {@code 'T'} + table number the table's COPY
 * text — each as chunks of at most 64 KiB ({@code int length, bytes}; length 0 ends the section),
 * and {@code 'E'} at the end. Chunks keep memory bounded on both sides whatever a table's size.
 */
final class BackupStream {
    static final byte[] MAGIC = "SLWB1\n".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 64 << 10;

    private BackupStream() {
    }

    /** Writes one section's bytes as chunks; {@link #close()} ends the section (the underlying stream stays open). */
    static final class SectionWriter extends BlockOutputStream {
        private final DataOutputStream out;
        private boolean closed;

        SectionWriter(DataOutputStream out, char kind, int number) throws IOException {
            super(CHUNK);
            this.out = out;
            out.writeByte(kind);
            out.writeInt(number);
        }

        @Override
        protected void blockFull() throws IOException {
            flushChunk();
        }

        private void flushChunk() throws IOException {
            if (filled > 0) {
                out.writeInt(filled);
                out.write(buffer, 0, filled);
                filled = 0;
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                flushChunk();
                out.writeInt(0);
            }
        }
    }

    /** Reads one section's bytes; ends (-1) at its terminating chunk. */
    static final class SectionReader extends InputStream {
        private final DataInputStream in;
        private int left;
        private boolean ended;

        SectionReader(DataInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (left == 0) {
                if (ended) {
                    return -1;
                }
                left = in.readInt();
                if (left == 0) {
                    ended = true;
                    return -1;
                }
                if (left < 0 || left > CHUNK) {
                    throw new IOException("backup damaged: a chunk of " + left + " bytes");
                }
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) {
                throw new IOException("backup cut short inside a chunk");
            }
            left -= n;
            return n;
        }

        /** Reads to the section's end (what a reader did not consume). */
        void drain() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // discard
            }
        }
    }
}
