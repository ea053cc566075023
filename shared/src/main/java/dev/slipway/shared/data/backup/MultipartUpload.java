package dev.slipway.shared.data.backup;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An S3 object written as a stream of unknown length with bounded memory: parts of 8 MiB, one in
 * memory at a time (S3's multipart upload); a small object is one PUT. Not closed = not there:
 * {@link #abort()} drops the parts, and nothing is visible under the key until {@link #close()}.
 */
public final class MultipartUpload extends BlockOutputStream {
    static final int PART = 8 << 20;
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final List<CompletedPart> parts = new ArrayList<>();
    private String uploadId;
    private boolean done;

    public MultipartUpload(S3Client s3, String bucket, String key) {
        super(PART);
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
    }

    @Override
    protected void blockFull() {
        sendPart();
    }

    private void sendPart() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
        }
        int number = parts.size() + 1;
        String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength((long) filled),
                RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, filled))).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        filled = 0;
    }

    /** The bytes written so far. */
    public long bytes() {
        return written();
    }

    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (uploadId == null) {
                s3.putObject(r -> r.bucket(bucket).key(key).contentLength((long) filled), RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, filled)));
            } else {
                if (filled > 0) {
                    sendPart();
                }
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            }
        } catch (RuntimeException e) {
            abort();
            throw new IOException("upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Drops what was uploaded; the object never appears. */
    public void abort() {
        done = true;
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                // the bucket's lifecycle rule removes incomplete uploads that stay
            }
        }
    }
}
