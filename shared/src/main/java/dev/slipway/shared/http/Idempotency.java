package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.idempotency.IdempotencyStore;
import dev.slipway.shared.idempotency.StoredResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code Idempotency-Key} for every mutating (POST, PATCH, DELETE) route, applied by {@link ApiRouter} so no handler can
 * forget it. A key (1–255 printable ASCII characters) is scoped to the caller (what
 * {@link AdminAuth} verified), the route and the path, and kept for
 * {@link IdempotencyStore#KEEP_FOR}:
 * <ul>
 * <li>same key, same request (method, request target = path and query string as received, SHA-256
 *     of content type and body): the first answer, byte for byte, with {@code Idempotent-Replayed: true};</li>
 * <li>same key, different request (another query string included): 422 {@code idempotency-key-reused};</li>
 * <li>first call still running: 409 {@code idempotency-key-in-progress} with {@code Retry-After};</li>
 * <li>a first answer of 5xx is not kept (the key may be retried); 2xx–4xx are;</li>
 * <li>a first answer whose body is too large to keep (over {@link IdempotencyStore#MAX_BODY_BYTES}
 *     gzipped): the request is not run again; a retry gets 409 {@code idempotency-response-not-kept}
 *     with the first answer's status and {@code Location} (GET it to see the result).</li>
 * </ul>
 * Why not aws-powertools' powertools-idempotency: it keys on (a JMESPath into) the Lambda event and
 * hooks in through AspectJ weaving of an {@code @Idempotent} handler method, so it would need the
 * AspectJ build plugin in every function, and it owns the answer to a replay, a mismatch or an
 * in-flight call (exceptions, not HTTP problems). Here the router owns the HTTP semantics (scope per
 * caller and path, 422/409 problems, byte-exact replays, 5xx not kept), so a small conditional-put
 * store on the Enhanced Client, like the other stores, is simpler and testable without weaving.
 */
public final class Idempotency {
    private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);
    public static final String HEADER = "idempotency-key";
    public static final String REPLAYED_HEADER = "idempotent-replayed";
    static final int MAX_KEY_LENGTH = 255;
    /** The in-progress answer asks for a retry soon: most calls finish in seconds, not the full lock. */
    static final long MAX_RETRY_AFTER_SECONDS = 5;

    private final IdempotencyStore store;
    private final Clock clock;

    public Idempotency(IdempotencyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Whether a route takes part: every mutating one (POST, PATCH, DELETE). */
    static boolean applies(String routeKey) {
        return routeKey != null && (routeKey.startsWith("POST ") || routeKey.startsWith("PATCH ") || routeKey.startsWith("DELETE "));
    }

    /**
     * Runs {@code work} at most once per key, or answers from the store. Without the header it just
     * runs. {@code work} turns every failure into a response (it never throws).
     */
    public APIGatewayV2HTTPResponse run(ApiRequest request, String scope, Supplier<APIGatewayV2HTTPResponse> work) {
        String key = request.header(HEADER).orElse(null);
        if (key == null) {
            return work.get();
        }
        validate(key);
        String pk = sha256Hex(scope + "\n" + request.routeKey() + "\n" + request.path() + "\n" + key);
        String fingerprint = fingerprint(request);
        String owner = request.requestId() == null ? UUID.randomUUID().toString() : request.requestId();
        Instant now = clock.instant();
        IdempotencyStore.Outcome outcome = store.acquire(pk, fingerprint, owner, now);
        if (outcome instanceof IdempotencyStore.Completed c) {
            return replay(c.response());
        }
        if (outcome instanceof IdempotencyStore.Mismatch) {
            throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used for a different request (method, path, query string or body); use a new key");
        }
        if (outcome instanceof IdempotencyStore.InProgress p) {
            long seconds = Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS,
                    (Duration.between(now, p.lockedUntil()).toMillis() + 999) / 1000));
            throw new HeaderedProblem(new ProblemException(ProblemType.IDEMPOTENCY_KEY_IN_PROGRESS,
                    "The first request with this Idempotency-Key is still running; retry after " + seconds + " s"),
                    Map.of("retry-after", Long.toString(seconds)));
        }
        APIGatewayV2HTTPResponse response;
        try {
            response = work.get();
        } catch (RuntimeException | Error e) {
            store.release(pk, owner);
            throw e;
        }
        try {
            if (response.getStatusCode() >= 500) {
                store.release(pk, owner);
            } else if (ApiResponse.holdsSecret(response)) {
                // A secret shown once (a new token, a hook URL) is never kept: a retry learns the status and Location only.
                store.complete(pk, fingerprint, owner, new StoredResponse(response.getStatusCode(), Map.of("location",
                        response.getHeaders().getOrDefault("location", "")), null, false, false), clock.instant());
            } else {
                store.complete(pk, fingerprint, owner, new StoredResponse(response.getStatusCode(), response.getHeaders(),
                        response.getBody(), response.getIsBase64Encoded(), true), clock.instant());
            }
        } catch (RuntimeException e) {
            // The work is done: answer it. The record stays IN_PROGRESS until its lock ends.
            LOG.error("request {}: could not record the idempotent answer", request.requestId(), e);
        }
        return response;
    }

    static void validate(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new ProblemException(ProblemType.INVALID_IDEMPOTENCY_KEY,
                    "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
        }
    }

    /**
     * What makes two requests with one key the same request. The request target (path and query string
     * as received) counts: {@code ?branch=beta} is not {@code ?branch=alpha}. A request without a query
     * string has the same fingerprint as before the query string counted, so a record kept from then
     * (they live {@link IdempotencyStore#KEEP_FOR}) still replays for it. Such a record cannot say which
     * query string its first request had: a retry with any query string answers 422 (a new key runs it)
     * rather than an answer that may belong to another query; a retry without one replays it as before
     * the fix did (also when the first request had a query string: the record cannot tell).
     */
    static String fingerprint(ApiRequest request) {
        byte[] body;
        try {
            body = request.bodyBytes();
        } catch (ProblemException notBase64) {
            body = request.rawBody().getBytes(StandardCharsets.UTF_8);
        }
        String contentType = request.header("content-type").orElse("").trim().toLowerCase(Locale.ROOT);
        String method = request.routeKey().split(" ", 2)[0];
        MessageDigest md = sha256();
        md.update((method + "\n" + request.target() + "\n" + contentType + "\n").getBytes(StandardCharsets.UTF_8));
        md.update(body);
        return HexFormat.of().formatHex(md.digest());
    }

    private static APIGatewayV2HTTPResponse replay(StoredResponse r) {
        Map<String, String> headers = new LinkedHashMap<>(r.headers());
        headers.put(REPLAYED_HEADER, "true");
        if (!r.bodyKept()) {
            String location = r.headers().get("location");
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put(REPLAYED_HEADER, "true");
            if (location != null) {
                extra.put("location", location);
            }
            throw new HeaderedProblem(new ProblemException(ProblemType.IDEMPOTENCY_RESPONSE_NOT_KEPT,
                    "The first request with this Idempotency-Key was answered with status " + r.status()
                            + " but that answer was too large to keep" + (location == null ? "" : "; GET " + location + " for the result")),
                    extra);
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(r.status())
                .withHeaders(headers)
                .withBody(r.body())
                .withIsBase64Encoded(r.base64())
                .build();
    }

    static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A problem answered with extra headers (Retry-After, Location). */
    static final class HeaderedProblem extends RuntimeException {
        final ProblemException problem;
        final Map<String, String> headers;

        HeaderedProblem(ProblemException problem, Map<String, String> headers) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
            this.headers = headers;
        }
    }
}
