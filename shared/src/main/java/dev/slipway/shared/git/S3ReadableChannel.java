package dev.slipway.shared.git;

import org.eclipse.jgit.internal.storage.dfs.ReadableChannel;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to an immutable pack file in S3 by ranged GETs. Reads are served from a window of
 * at least {@link #WINDOW} bytes so JGit's 64 KiB block reads do not each cost a request.
 */
final class S3ReadableChannel implements ReadableChannel {
    static final int WINDOW = 1 << 20;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private long position;
    private int readAhead = WINDOW;
    private byte[] window = new byte[0];
    private long windowStart = -1;
    private boolean open = true;

    S3ReadableChannel(S3Client s3, String bucket, String key, long size) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= size) {
            return -1;
        }
        if (windowStart < 0 || position < windowStart || position >= windowStart + window.length) {
            fill(Math.max(dst.remaining(), readAhead));
        }
        int offset = (int) (position - windowStart);
        int n = Math.min(dst.remaining(), window.length - offset);
        dst.put(window, offset, n);
        position += n;
        return n;
    }

    private void fill(int want) throws IOException {
        long end = Math.min(size, position + want) - 1;
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)
                    .range("bytes=" + position + "-" + end));
            window = bytes.asByteArray();
            windowStart = position;
        } catch (RuntimeException e) {
            throw new IOException("reading " + key + " at " + position + ": " + e.getMessage(), e);
        }
        if (window.length == 0) {
            throw new IOException("reading " + key + " at " + position + ": empty range");
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void position(long newPosition) {
        position = newPosition;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int blockSize() {
        return 0; // no natural block size: let JGit's block cache choose
    }

    @Override
    public void setReadAheadBytes(int bytes) {
        readAhead = Math.max(WINDOW, bytes);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        window = new byte[0];
    }
}
