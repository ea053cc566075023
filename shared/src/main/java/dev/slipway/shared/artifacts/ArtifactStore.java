package dev.slipway.shared.artifacts;

import dev.slipway.shared.aws.AwsClients;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.Optional;

/**
 * Immutable blobs in the artifacts bucket (release files, git packs). Writes never overwrite:
 * {@code If-None-Match: *} makes a second writer of a key fail instead of replacing what a
 * release already points at.
 */
public final class ArtifactStore {
    private final S3Client s3;
    private final String bucket;

    public ArtifactStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** An S3 client for the artifacts bucket, path-style when the endpoint is overridden (local). */
    public static S3Client client(AwsClients clients) {
        boolean custom = clients.endpoint("S3").isPresent();
        return clients.configure(S3Client.builder(), "S3")
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(custom).build())
                .build();
    }

    public String bucket() {
        return bucket;
    }

    /** @return true if written, false if the key already held an object (which is kept). */
    public boolean putIfAbsent(String key, byte[] bytes, String contentType) {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType).ifNoneMatch("*"),
                    RequestBody.fromBytes(bytes));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    public void delete(String key) {
        s3.deleteObject(r -> r.bucket(bucket).key(key));
    }
}
