package dev.slipway.shared.data.backup;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that gathers what is written into blocks of one fixed size, holding one block in memory
 * whatever the stream's length. A full block is handed on ({@link #blockFull()}) only once more data follows,
 * so at close a subclass still holds the last block (short or full) and can mark it as the last: the
 * section's final chunk, the last encrypted segment, a single PUT for a small object.
 */
abstract class BlockOutputStream extends OutputStream {
    protected final byte[] buffer;
    protected int filled;
    private long written;

    BlockOutputStream(int blockSize) {
        buffer = new byte[blockSize];
    }

    /** Hands on {@code buffer[0..filled)} and sets {@link #filled} back to 0. */
    protected abstract void blockFull() throws IOException;

    /** The bytes written so far. */
    protected long written() {
        return written;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == buffer.length) {
                blockFull();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            written += n;
        }
    }
}
