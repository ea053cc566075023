package dev.slipway.shared.imports;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.ids.Ulid;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Large exports go straight to S3: {@code POST /apps/{app}/uploads {size, name}} answers a
 * presigned PUT whose signature covers the declared Content-Length, so S3 refuses any other size;
 * the import then reads {@code uploads/<app>/<uploadId>/<name>} and deletes it, accepted or not.
 * Creating an upload also leaves an empty marker {@code uploads/.issued/<app>/<uploadId>}, so an
 * import can tell an upload of this app that has no file yet (409) from an unknown one or another
 * app's (404). Forgotten uploads and markers expire by the bucket's lifecycle rule on {@code uploads/}.
 */
public final class UploadService {
    public static final long DEFAULT_MAX_BYTES = 200L << 20;
    static final Duration URL_LIFETIME = Duration.ofMinutes(15);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final long maxBytes;
    private final Clock clock;

    public UploadService(S3Client s3, S3Presigner presigner, String bucket, long maxBytes, Clock clock) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /** Presigns the PUT of an export of exactly {@code request.size()} bytes; 413 beyond the limit. */
    public PresignedUpload create(String appId, UploadRequest request) {
        long size = request.size();
        String name = request.name();
        if (size > maxBytes) {
            throw new DomainException(DomainError.UPLOAD_TOO_LARGE,
                    "Uploads are limited to " + maxBytes + " bytes; this one would be " + size);
        }
        Instant now = clock.instant();
        String uploadId = Ulid.next(now);
        String key = prefix(appId, uploadId) + name.replace(' ', '_');
        PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(URL_LIFETIME)
                .putObjectRequest(r -> r.bucket(bucket).key(key).contentLength(size).contentType("application/zip")));
        // App ids are slugs ([a-z]…), so ".issued" never collides with an app's own prefix.
        s3.putObject(r -> r.bucket(bucket).key(issuedKey(appId, uploadId)).contentLength(0L), RequestBody.empty());
        Map<String, String> headers = new LinkedHashMap<>();
        put.signedHeaders().forEach((h, values) -> {
            if (!h.equalsIgnoreCase("host")) {
                headers.put(h, String.join(",", values));
            }
        });
        return new PresignedUpload(uploadId, "PUT", put.url().toString(), headers, maxBytes, put.expiration());
    }

    /** A received upload, downloaded to a temp file. Close removes the file and the upload. */
    public final class Received implements AutoCloseable {
        private final String key;
        private final Path file;

        private Received(String key, Path file) {
            this.key = key;
            this.file = file;
        }

        public Path file() {
            return file;
        }

        public String name() {
            return key.substring(key.lastIndexOf('/') + 1);
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // temp folder is cleaned by the platform
            }
            discard(key);
        }
    }

    public Received receive(String appId, String uploadId, Path tempParent) {
        if (!Ulid.isValid(uploadId)) {
            throw new DomainException(DomainError.UPLOAD_NOT_FOUND, "There is no upload " + abbreviate(uploadId));
        }
        List<S3Object> objects = s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix(appId, uploadId)).maxKeys(2)).contents();
        if (objects.isEmpty()) {
            if (!issued(appId, uploadId)) {
                throw new DomainException(DomainError.UPLOAD_NOT_FOUND,
                        "There is no upload " + uploadId + " for app " + appId + " (or it has expired)");
            }
            throw new DomainException(DomainError.UPLOAD_NOT_RECEIVED,
                    "Upload " + uploadId + " has no file: PUT the export to the URL first (it may also have expired)");
        }
        S3Object o = objects.get(0);
        if (o.size() > maxBytes) {
            discard(o.key());
            throw new DomainException(DomainError.UPLOAD_TOO_LARGE, "The upload is larger than " + maxBytes + " bytes");
        }
        Path file;
        try {
            file = Files.createTempFile(tempParent, "slipway-upload-", ".zip");
            Files.delete(file);
            s3.getObject(r -> r.bucket(bucket).key(o.key()), ResponseTransformer.toFile(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Received(o.key(), file);
    }

    private void discard(String key) {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        } catch (RuntimeException ignored) {
            // the lifecycle rule removes it within a day
        }
    }

    /** Whether this app created the upload (and its marker has not expired yet). */
    private boolean issued(String appId, String uploadId) {
        String key = issuedKey(appId, uploadId);
        return s3.listObjectsV2(r -> r.bucket(bucket).prefix(key).maxKeys(1)).contents().stream()
                .anyMatch(o -> o.key().equals(key));
    }

    static String issuedKey(String appId, String uploadId) {
        return "uploads/.issued/" + appId + "/" + uploadId;
    }

    static String prefix(String appId, String uploadId) {
        return "uploads/" + appId + "/" + uploadId + "/";
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
