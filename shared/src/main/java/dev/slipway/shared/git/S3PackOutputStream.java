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

/**
 * A pack (or index) being written: spooled to a temp file, which JGit may read back while it
 * writes, and uploaded to S3 once on close. Nothing is visible to readers until the pack is
 * committed to the pack list, so an upload that never happens leaves no trace but the temp file,
 * which close removes.
 */
final class S3PackOutputStream extends DfsOutputStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final Path spool;
    private final FileChannel channel;
    private final OutputStream out;
    private long written;
    private boolean closed;

    S3PackOutputStream(S3Client s3, String bucket, String key) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
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
        try {
            channel.force(false);
            s3.putObject(r -> r.bucket(bucket).key(key).contentLength(written), RequestBody.fromFile(spool));
        } catch (RuntimeException e) {
            throw new IOException("uploading " + key + ": " + e.getMessage(), e);
        } finally {
            channel.close();
            Files.deleteIfExists(spool);
        }
    }
}
