package dev.slipway.local;

import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.idempotency.IdempotencyStore;
import dev.slipway.shared.idempotency.StoredResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idempotency store's conditional writes against DynamoDB Local, table from template.yaml. */
class IdempotencyStoreTest {
    private static DynamoDbIdempotencyStore store;
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final StoredResponse CREATED = new StoredResponse(201,
            Map.of("content-type", "application/json", "location", "/apps/x"), "{\"id\":\"x\"}", false, true);

    @BeforeAll
    static void start() throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        store = new DynamoDbIdempotencyStore(DynamoDbEnhancedClient.builder().dynamoDbClient(engines.dynamoClient).build(),
                engines.tableName("IdempotencyTable"));
    }

    private static String key() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    void acquireCompleteReplay() {
        String k = key();
        assertInstanceOf(IdempotencyStore.Acquired.class, store.acquire(k, "fp", "r1", T0));
        store.complete(k, "fp", "r1", CREATED, T0.plusSeconds(1));
        var again = assertInstanceOf(IdempotencyStore.Completed.class, store.acquire(k, "fp", "r2", T0.plusSeconds(2)));
        assertEquals(CREATED, again.response());
    }

    @Test
    void aDifferentRequestIsAMismatchWhetherRunningOrDone() {
        String k = key();
        store.acquire(k, "fp", "r1", T0);
        assertInstanceOf(IdempotencyStore.Mismatch.class, store.acquire(k, "other", "r2", T0.plusSeconds(1)));
        store.complete(k, "fp", "r1", CREATED, T0.plusSeconds(2));
        assertInstanceOf(IdempotencyStore.Mismatch.class, store.acquire(k, "other", "r3", T0.plusSeconds(3)));
        // an abandoned lock is not taken over by a different request either
        String k2 = key();
        store.acquire(k2, "fp", "r1", T0);
        assertInstanceOf(IdempotencyStore.Mismatch.class, store.acquire(k2, "other", "r2", T0.plus(Duration.ofMinutes(5))));
    }

    @Test
    void aRunningFirstCallIsInProgressUntilItsLockEndsThenMayBeTakenOver() {
        String k = key();
        store.acquire(k, "fp", "r1", T0);
        var p = assertInstanceOf(IdempotencyStore.InProgress.class, store.acquire(k, "fp", "r2", T0.plusSeconds(5)));
        assertEquals(T0.plus(IdempotencyStore.LOCK_FOR), p.lockedUntil());
        Instant later = T0.plus(IdempotencyStore.LOCK_FOR).plusSeconds(1);
        assertInstanceOf(IdempotencyStore.Acquired.class, store.acquire(k, "fp", "r3", later));
        // the crashed first call comes back late: its answer is not kept over the new owner's lock
        store.complete(k, "fp", "r1", CREATED, later);
        assertInstanceOf(IdempotencyStore.InProgress.class, store.acquire(k, "fp", "r4", later.plusSeconds(1)));
        store.release(k, "r1");
        assertInstanceOf(IdempotencyStore.InProgress.class, store.acquire(k, "fp", "r4", later.plusSeconds(1)));
        StoredResponse ok = new StoredResponse(200, Map.of(), "{}", false, true);
        store.complete(k, "fp", "r3", ok, later.plusSeconds(2));
        assertEquals(ok, assertInstanceOf(IdempotencyStore.Completed.class, store.acquire(k, "fp", "r5", later.plusSeconds(3))).response());
    }

    @Test
    void anExpiredRecordIsAbsentEvenBeforeTtlDeletesIt() {
        String k = key();
        store.acquire(k, "fp", "r1", T0);
        store.complete(k, "fp", "r1", CREATED, T0);
        Instant nextDay = T0.plus(IdempotencyStore.KEEP_FOR).plusSeconds(1);
        assertInstanceOf(IdempotencyStore.Acquired.class, store.acquire(k, "another request", "r2", nextDay));
    }

    @Test
    void aReleasedKeyMayBeRetried() {
        // what the router does with a 5xx: the key is forgotten
        String k = key();
        store.acquire(k, "fp", "r1", T0);
        store.release(k, "r1");
        assertInstanceOf(IdempotencyStore.Acquired.class, store.acquire(k, "fp", "r2", T0.plusSeconds(1)));
    }

    @Test
    void aBodyTooLargeToKeepIsAMarker() {
        String k = key();
        store.acquire(k, "fp", "r1", T0);
        // random hex does not compress below the limit
        byte[] noise = new byte[IdempotencyStore.MAX_BODY_BYTES];
        new SecureRandom().nextBytes(noise);
        String huge = HexFormat.of().formatHex(noise);
        store.complete(k, "fp", "r1", new StoredResponse(201, Map.of("location", "/apps/x/releases/y"), huge, false, true), T0);
        StoredResponse kept = assertInstanceOf(IdempotencyStore.Completed.class, store.acquire(k, "fp", "r2", T0)).response();
        assertFalse(kept.bodyKept());
        assertEquals(201, kept.status());
        assertEquals("/apps/x/releases/y", kept.headers().get("location"));
        // a large body that compresses is kept whole
        String k2 = key();
        store.acquire(k2, "fp", "r1", T0);
        String big = "{\"files\":\"" + "a".repeat(2 * IdempotencyStore.MAX_BODY_BYTES) + "\"}";
        store.complete(k2, "fp", "r1", new StoredResponse(201, Map.of(), big, false, true), T0);
        StoredResponse whole = assertInstanceOf(IdempotencyStore.Completed.class, store.acquire(k2, "fp", "r2", T0)).response();
        assertTrue(whole.bodyKept());
        assertEquals(big, whole.body());
    }
}
