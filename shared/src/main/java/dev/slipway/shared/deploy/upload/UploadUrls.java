package dev.slipway.shared.deploy.upload;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A page of presigned PUTs for the content an upload release still needs: when they expire (null:
 * none on this page) and the cursor of the next page (null: this was the last).
 */
public record UploadUrls(String appId, String releaseId, List<Upload> uploads, Instant expiresAt, String nextCursor) {
    /** One PUT: the content's hash, its URL and the signed headers the client sends with it (not host). */
    public record Upload(String sha256, String url, Map<String, String> headers) {
    }
}
