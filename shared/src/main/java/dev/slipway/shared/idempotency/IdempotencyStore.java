package dev.slipway.shared.idempotency;

import java.time.Duration;
import java.time.Instant;

/**
 * Where idempotency records live. One record per key (already scoped to caller, route and path by
 * the caller of this interface): IN_PROGRESS while the first request runs, then COMPLETED with its
 * answer. Records count as absent once {@code expiresAt} has passed, whether or not they are gone.
 */
public interface IdempotencyStore {
    /** How long a key is remembered after its first use. */
    Duration KEEP_FOR = Duration.ofHours(24);
    /**
     * How long an IN_PROGRESS record blocks its key: longer than any API function may run (29 s),
     * so only a call that crashed or timed out loses its lock, and a retry may then take over.
     */
    Duration LOCK_FOR = Duration.ofSeconds(60);
    /** Kept bodies (gzip) stay under DynamoDB's 400 KB item limit with room for the rest. */
    int MAX_BODY_BYTES = 350 * 1024;

    /**
     * Claims {@code key} for a request with {@code fingerprint}, or says why not.
     *
     * @param owner who holds the lock if acquired (the request id); complete and release need it
     */
    Outcome acquire(String key, String fingerprint, String owner, Instant now);

    /** Keeps the answer of the request that holds the lock; does nothing if the lock was taken over. */
    void complete(String key, String fingerprint, String owner, StoredResponse response, Instant now);

    /** Forgets the key (the request failed on our side), if {@code owner} still holds it. */
    void release(String key, String owner);

    /** What {@link #acquire} found. */
    sealed interface Outcome {
    }

    /** The key is ours: run the request. */
    record Acquired() implements Outcome {
    }

    /** The same request already completed: answer with this. */
    record Completed(StoredResponse response) implements Outcome {
    }

    /** The same request is still running elsewhere; its lock ends at {@code lockedUntil}. */
    record InProgress(Instant lockedUntil) implements Outcome {
    }

    /** The key was used for a different request. */
    record Mismatch() implements Outcome {
    }
}
