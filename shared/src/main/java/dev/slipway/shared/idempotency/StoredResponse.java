package dev.slipway.shared.idempotency;

import java.util.Map;

/**
 * The first answer to an idempotent request, as kept: status, headers and body exactly as sent.
 * {@code bodyKept} is false when the body was too large to keep ({@link IdempotencyStore#MAX_BODY_BYTES}):
 * then only the status and headers are known, and a retry is told so instead of getting a replay.
 */
public record StoredResponse(int status, Map<String, String> headers, String body, boolean base64, boolean bodyKept) {
    public StoredResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
