package dev.slipway.shared.deploy;

import java.util.List;
import java.util.Optional;

/**
 * What a release holds, written beside it and never changed: each file's path (relative, no
 * leading slash), size, SHA-256 and MD5 (hex; S3's ETag of a single-part PUT, so verification is a
 * listing, not a download), content type and cache policy.
 */
public record Manifest(String appId, String releaseId, List<File> files) {
    public record File(String path, long size, String sha256, String md5, String contentType, String cacheControl) {
    }

    public long totalBytes() {
        return files.stream().mapToLong(File::size).sum();
    }

    public Optional<File> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }
}
