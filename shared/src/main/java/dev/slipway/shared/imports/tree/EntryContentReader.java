package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads entry contents under the size limits, counting the bytes really read (never what an
 * archive declares): one file, all files together ({@link ImportLimits}), {@code .env*} files held
 * in memory, and a source that stops making progress. Stops as soon as a limit is crossed.
 * One per {@link TreeCollector}: one import on one thread.
 */
final class EntryContentReader {
    /** Cap for one {@code .env*} file taken out of the tree (they are held in memory). */
    static final long MAX_ENV_FILE_BYTES = 1L << 20;
    /** Cap for all {@code .env*} files together. */
    static final long MAX_ENV_TOTAL_BYTES = 8L << 20;
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_EMPTY_READS = 1000;

    private final ImportLimits limits;
    /** One copy buffer per import: 2,000 files would otherwise allocate 128 MB of buffers. */
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private long inflated;
    private long envBytes;

    EntryContentReader(ImportLimits limits) {
        this.limits = limits;
    }

    /** Bytes read so far, all entries together. */
    long inflated() {
        return inflated;
    }

    /** Writes the content to a new file {@code blob} (never following links); returns its size. */
    long toBlob(InputStream in, Path blob, String raw) {
        try (OutputStream out = Files.newOutputStream(blob, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            return copy(in, out, limits.maxFileBytes(), raw);
        } catch (IOException ex) {
            throw new UncheckedIOException("could not write to the import work folder", ex);
        }
    }

    /** A {@code .env*} file's bytes, held in memory: it never reaches the tree. */
    byte[] envFile(InputStream in, String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long size;
        try {
            size = copy(in, out, Math.min(MAX_ENV_FILE_BYTES, limits.maxFileBytes()), raw);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not throw
        }
        envBytes += size;
        if (envBytes > MAX_ENV_TOTAL_BYTES) {
            throw new DomainException(DomainError.ARCHIVE_TOO_LARGE,
                    "The .env files together are larger than " + MAX_ENV_TOTAL_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    /**
     * Copies counting the bytes really read and stops as soon as a limit is crossed. Read errors are
     * the source's fault (ARCHIVE_CORRUPT); write errors are ours (IOException).
     */
    private long copy(InputStream in, OutputStream out, long fileLimit, String raw) throws IOException {
        long size = 0;
        int emptyReads = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException ex) {
                throw PathRules.problem(DomainError.ARCHIVE_CORRUPT, "Could not read entry", raw);
            }
            if (n < 0) {
                return size;
            }
            if (n == 0) {
                if (++emptyReads > MAX_EMPTY_READS) {
                    throw PathRules.problem(DomainError.ARCHIVE_CORRUPT, "Entry data does not progress", raw);
                }
                continue;
            }
            size += n;
            inflated += n;
            if (size > fileLimit) {
                throw PathRules.problem(DomainError.ARCHIVE_FILE_TOO_LARGE,
                        "A file inflates to more than " + fileLimit + " bytes", raw);
            }
            if (inflated > limits.maxTotalBytes()) {
                throw new DomainException(DomainError.ARCHIVE_TOO_LARGE,
                        "The archive inflates to more than " + limits.maxTotalBytes() + " bytes");
            }
            out.write(buffer, 0, n);
        }
    }
}
