package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.idempotency.IdempotencyStore;
import dev.slipway.shared.idempotency.StoredResponse;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The router's Idempotency-Key protocol over an in-memory store (the DynamoDB store has its own test). */
class IdempotencyTest {
    /** Enough of the store's semantics for the protocol: no expiry, no takeover. */
    static final class MemoryStore implements IdempotencyStore {
        record Rec(String fp, String owner, StoredResponse response) {
        }

        final Map<String, Rec> records = new HashMap<>();

        @Override
        public synchronized Outcome acquire(String key, String fingerprint, String owner, Instant now) {
            Rec r = records.get(key);
            if (r == null) {
                records.put(key, new Rec(fingerprint, owner, null));
                return new Acquired();
            }
            if (!r.fp.equals(fingerprint)) {
                return new Mismatch();
            }
            return r.response == null ? new InProgress(now.plus(LOCK_FOR)) : new Completed(r.response);
        }

        @Override
        public synchronized void complete(String key, String fingerprint, String owner, StoredResponse response, Instant now) {
            records.put(key, new Rec(fingerprint, owner, response));
        }

        @Override
        public synchronized void release(String key, String owner) {
            records.remove(key);
        }
    }

    private final MemoryStore store = new MemoryStore();
    private final AtomicInteger runs = new AtomicInteger();
    private int nextStatus = 201;
    private final ApiRouter router = ApiRouter.openForTests()
            .idempotency(store, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC))
            .route("POST /things", r -> {
                runs.incrementAndGet();
                if (nextStatus == 500) {
                    throw new IllegalStateException("boom");
                }
                if (nextStatus == 503) {
                    throw new ProblemException(ProblemType.DEPLOY_UNAVAILABLE, "later");
                }
                return ApiResponse.json(nextStatus, Json.object().put("run", runs.get()), Map.of("location", "/things/" + runs.get()));
            })
            .build();

    private APIGatewayV2HTTPResponse post(String key, String body) {
        return post(key, body, "");
    }

    /** A POST of /things with the raw query string {@code query} ("" for none), as API Gateway hands it over. */
    private APIGatewayV2HTTPResponse post(String key, String body, String query) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (key != null) {
            headers.put("idempotency-key", key);
        }
        return router.handle(APIGatewayV2HTTPEvent.builder().withRouteKey("POST /things").withRawPath("/things")
                .withRawQueryString(query).withHeaders(headers).withBody(body).withIsBase64Encoded(false).build(), null);
    }

    private static String type(APIGatewayV2HTTPResponse r) {
        return Json.parse(r.getBody()).path("type").asText();
    }

    @Test
    void replaysTheFirstAnswerAndRunsOnce() {
        APIGatewayV2HTTPResponse first = post("k1", "{\"a\":1}");
        APIGatewayV2HTTPResponse again = post("k1", "{\"a\":1}");
        assertEquals(1, runs.get());
        assertEquals(first.getStatusCode(), again.getStatusCode());
        assertEquals(first.getBody(), again.getBody());
        assertEquals("/things/1", again.getHeaders().get("location"));
        assertEquals("true", again.getHeaders().get("idempotent-replayed"));
        assertNull(first.getHeaders().get("idempotent-replayed"));
        assertEquals("urn:slipway:problem:idempotency-key-reused", type(post("k1", "{\"a\":2}")));
        assertEquals(422, post("k1", "{\"a\":2}").getStatusCode());
    }

    @Test
    void theQueryStringIsPartOfTheRequest() {
        APIGatewayV2HTTPResponse alpha = post("q", "{}", "branch=alpha");
        assertEquals(201, alpha.getStatusCode());
        APIGatewayV2HTTPResponse beta = post("q", "{}", "branch=beta");
        assertEquals(422, beta.getStatusCode(), beta.getBody());
        assertEquals("urn:slipway:problem:idempotency-key-reused", type(beta));
        assertEquals(422, post("q", "{}", "").getStatusCode(), "no query string is another request too");
        assertEquals(422, post("q", "{}", "branch=alpha&x=1").getStatusCode());
        assertEquals(1, runs.get(), "nothing ran for the other query strings");
        APIGatewayV2HTTPResponse again = post("q", "{}", "branch=alpha");
        assertEquals(alpha.getBody(), again.getBody());
        assertEquals("true", again.getHeaders().get("idempotent-replayed"));
        // as received: another order or encoding of the same parameters is another target
        post("r", "{}", "a=1&b=2");
        assertEquals(422, post("r", "{}", "b=2&a=1").getStatusCode());
        assertEquals(422, post("r", "{}", "a=%31&b=2").getStatusCode());
        // another key with the other query string runs
        assertEquals(201, post("q2", "{}", "branch=beta").getStatusCode());
        assertEquals(3, runs.get());
    }

    /**
     * Records kept before the query string counted hold {@link #legacyFingerprint}: a request without a
     * query string still matches them (its fingerprint did not change); one with a query string does not,
     * because the record cannot say which query string its first request had.
     */
    @Test
    void recordsKeptBeforeTheQueryStringCountedReplayOnlyForRequestsWithoutOne() {
        StoredResponse first = new StoredResponse(201, Map.of("content-type", "application/json"), "{\"run\":0}", false, true);
        store.records.put(pkOf("old"), new MemoryStore.Rec(legacyFingerprint("{}"), "before", first));
        APIGatewayV2HTTPResponse replay = post("old", "{}", "");
        assertEquals(201, replay.getStatusCode());
        assertEquals("{\"run\":0}", replay.getBody());
        assertEquals(422, post("old", "{}", "branch=alpha").getStatusCode());
        assertEquals(0, runs.get());
        assertEquals(legacyFingerprint("{}"), Idempotency.fingerprint(new ApiRequest(event("k", "{}"), null)));
    }

    /** The fingerprint as it was computed before the query string counted (frozen here on purpose). */
    private static String legacyFingerprint(String body) {
        return Idempotency.sha256Hex("POST\n/things\napplication/json\n" + body);
    }

    @Test
    void fiveHundredsAreNotKeptButFourHundredsAre() {
        nextStatus = 500;
        assertEquals(500, post("k", "{}").getStatusCode());
        nextStatus = 503;
        assertEquals(503, post("k", "{}").getStatusCode());
        nextStatus = 409;
        assertEquals(409, post("k", "{}").getStatusCode());
        nextStatus = 201;
        assertEquals(409, post("k", "{}").getStatusCode());
        assertEquals(3, runs.get());
    }

    @Test
    void inProgressIs409WithRetryAfter() {
        store.acquire(pkOf("k"), Idempotency.fingerprint(new ApiRequest(event("k", "{}"), null)), "other", Instant.now());
        APIGatewayV2HTTPResponse r = post("k", "{}");
        assertEquals(409, r.getStatusCode());
        assertEquals("urn:slipway:problem:idempotency-key-in-progress", type(r));
        assertEquals("5", r.getHeaders().get("retry-after"));
    }

    @Test
    void aKeptMarkerWithoutBodyIs409WithTheLocation() {
        post("k", "{}");
        String pk = store.records.keySet().iterator().next();
        MemoryStore.Rec rec = store.records.get(pk);
        store.records.put(pk, new MemoryStore.Rec(rec.fp(), rec.owner(),
                new StoredResponse(201, Map.of("location", "/things/1"), null, false, false)));
        APIGatewayV2HTTPResponse r = post("k", "{}");
        assertEquals(409, r.getStatusCode());
        assertEquals("urn:slipway:problem:idempotency-response-not-kept", type(r));
        assertEquals("/things/1", r.getHeaders().get("location"));
    }

    @Test
    void keysAreValidatedAndPostRoutesNeedAStore() {
        assertEquals(400, post("", "{}").getStatusCode());
        assertEquals(400, post("x".repeat(256), "{}").getStatusCode());
        assertEquals(400, post("tab\there", "{}").getStatusCode());
        assertEquals(201, post("x".repeat(255), "{}").getStatusCode());
        assertEquals(201, post(null, "{}").getStatusCode());
        assertThrows(IllegalStateException.class, () -> ApiRouter.openForTests().route("POST /x", r -> null).build());
    }

    private static APIGatewayV2HTTPEvent event(String key, String body) {
        return APIGatewayV2HTTPEvent.builder().withRouteKey("POST /things").withRawPath("/things")
                .withHeaders(Map.of("content-type", "application/json", "idempotency-key", key)).withBody(body)
                .withIsBase64Encoded(false).build();
    }

    private String pkOf(String key) {
        return Idempotency.sha256Hex("anonymous\nPOST /things\n/things\n" + key);
    }
}
