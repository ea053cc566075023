package dev.slipway.shared.imports;

import java.time.Instant;
import java.util.Map;

/**
 * Where and how to PUT an export: the presigned URL, the headers its signature covers (the host
 * aside), and when it expires. {@code headers} keeps the signer's order.
 */
public record PresignedUpload(String uploadId, String method, String url, Map<String, String> headers,
                              long maxBytes, Instant expiresAt) {
}
