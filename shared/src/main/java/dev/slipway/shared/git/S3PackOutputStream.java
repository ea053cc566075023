package dev.slipway.shared.git;

import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A pack (or index) being written: spooled to a temp file, which JGit may read back while it
 * writes, and uploaded to S3 once on close. Nothing is visible to readers until the pack is
 * committed to the pack list, so an upload that never happens leaves no trace but the temp file,
 * which close removes.
 *
 * <p>A stream made with an {@code onClose} hook hands itself to the hook on close instead of
 * uploading: the repository holds a pack back until its index is written, because JGit's
 * {@code DfsInserter} writes the pack header before it knows the object count (it always says 1,
 * which C git's {@code index-pack} refuses). {@link #fixObjectCount} then sets the count from the
 * index and recomputes both trailers before either is uploaded.
 */
final class S3PackOutputStream extends DfsOutputStream {
    /** What a held-back stream does on close: upload it later, or discard it. */
    @FunctionalInterface
    interface OnClose {
        void closed(S3PackOutputStream stream) throws IOException;
    }

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final Path spool;
    private final FileChannel channel;
    private final OutputStream out;
    private final OnClose onClose;
    private long written;
    private boolean closed;
    private boolean finished;

    S3PackOutputStream(S3Client s3, String bucket, String key) throws IOException {
        this(s3, bucket, key, null);
    }

    S3PackOutputStream(S3Client s3, String bucket, String key, OnClose onClose) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.onClose = onClose;
        this.spool = Files.createTempFile("slipway-pack-", ".tmp");
        this.channel = FileChannel.open(spool, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.out = Channels.newOutputStream(channel);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
        written += len;
    }

    @Override
    public int read(long position, ByteBuffer buf) throws IOException {
        if (position >= written) {
            return -1;
        }
        int limit = (int) Math.min(buf.remaining(), written - position);
        ByteBuffer slice = buf.slice();
        slice.limit(limit);
        int n = channel.read(slice, position);
        if (n > 0) {
            buf.position(buf.position() + n);
        }
        return n;
    }

    long size() {
        return written;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (onClose == null) {
            upload();
            return;
        }
        try {
            onClose.closed(this);
        } catch (IOException | RuntimeException e) {
            discard();
            throw e;
        }
    }

    /** Uploads the spooled bytes (once) and removes the spool. */
    void upload() throws IOException {
        if (finished) {
            return;
        }
        try {
            channel.force(false);
            s3.putObject(r -> r.bucket(bucket).key(key).contentLength(written), RequestBody.fromFile(spool));
        } catch (RuntimeException e) {
            throw new IOException("uploading " + key + ": " + e.getMessage(), e);
        } finally {
            discard();
        }
    }

    /** Removes the spool without uploading it. */
    void discard() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file goes next
        }
        try {
            Files.deleteIfExists(spool);
        } catch (IOException ignored) {
            // a temp file; the platform cleans it
        }
    }

    private static final int PACK_HEADER = 12;
    private static final int SHA1 = 20;
    private static final int IDX_V2_MAGIC = 0xff744f63;

    /**
     * Sets the pack header's object count to the count its (version 2) index holds, when the two
     * differ, and recomputes what depends on it: the pack's trailing SHA-1, the copy of that
     * checksum inside the index and the index's own trailing SHA-1. Both streams must be closed
     * and not yet uploaded. Returns whether anything changed.
     */
    static boolean fixObjectCount(S3PackOutputStream pack, S3PackOutputStream index) throws IOException {
        if (pack.written < PACK_HEADER + SHA1 || index.written < 8 + 256 * 4 + 2 * SHA1) {
            return false;
        }
        ByteBuffer idxHead = pack.readFully(index, 0, 8 + 256 * 4);
        if (idxHead.getInt(0) != IDX_V2_MAGIC || idxHead.getInt(4) != 2) {
            return false; // version 1 indexes are not written here
        }
        long count = Integer.toUnsignedLong(idxHead.getInt(8 + 255 * 4));
        ByteBuffer header = pack.readFully(pack, 0, PACK_HEADER);
        if (header.getInt(0) != 0x5041434b || Integer.toUnsignedLong(header.getInt(8)) == count) {
            return false; // not "PACK", or the count is right already
        }
        byte[] oldPackHash = new byte[SHA1];
        pack.readFully(pack, pack.written - SHA1, SHA1).get(oldPackHash);
        byte[] indexedPackHash = new byte[SHA1];
        pack.readFully(index, index.written - 2 * SHA1, SHA1).get(indexedPackHash);
        if (!Arrays.equals(oldPackHash, indexedPackHash)) {
            throw new IOException("index " + index.key + " does not belong to pack " + pack.key);
        }
        header.putInt(8, (int) count);
        header.rewind();
        pack.writeAt(0, header);
        byte[] packHash = pack.sha1Of(pack.written - SHA1);
        pack.writeAt(pack.written - SHA1, ByteBuffer.wrap(packHash));
        index.writeAt(index.written - 2 * SHA1, ByteBuffer.wrap(packHash));
        byte[] indexHash = index.sha1Of(index.written - SHA1);
        index.writeAt(index.written - SHA1, ByteBuffer.wrap(indexHash));
        return true;
    }

    private ByteBuffer readFully(S3PackOutputStream from, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (from.channel.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of " + from.key);
            }
        }
        return b.flip();
    }

    private void writeAt(long position, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }

    private byte[] sha1Of(long length) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long position = 0;
        while (position < length) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), length - position));
            int n = channel.read(b, position);
            if (n < 0) {
                throw new IOException("unexpected end of " + key);
            }
            b.flip();
            md.update(b);
            position += n;
        }
        return md.digest();
    }
}
