package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Failed authentications per source address and minute, counted in the access table (every Lambda
 * container sees the same count; the items expire by TTL). A failure past the limit is answered 429 with
 * {@code Retry-After} (the rest of the minute) instead of 401, so a guesser learns nothing more until then.
 * Only failures cost a write; a request with a valid token reads nothing here.
 */
public final class FailedAuthLimit {
    public static final int DEFAULT_PER_MINUTE = 30;
    static final String KEY_PREFIX = "failed-auth#";

    private final DynamoDbClient dynamo;
    private final String tableName;
    private final int perMinute;
    private final Clock clock;

    public FailedAuthLimit(DynamoDbClient dynamo, String tableName, int perMinute, Clock clock) {
        this.dynamo = dynamo;
        this.tableName = tableName;
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** The refusal a blocked source gets: 429, and how many seconds until it may try again. */
    public static final class TooManyFailures extends DomainException {
        private final long retryAfterSeconds;

        TooManyFailures(long retryAfterSeconds) {
            super(DomainError.TOO_MANY_FAILED_AUTHENTICATIONS,
                    "Too many failed authentications from this address; retry in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * Counts a failure of {@code source}; throws {@link TooManyFailures} when it is past the limit (the
     * caller then answers 429 instead of its 401).
     */
    public void recordFailure(String source) {
        Instant now = clock.instant();
        long window = now.getEpochSecond() / 60;
        var updated = dynamo.updateItem(r -> r.tableName(tableName).key(key(source, now))
                .updateExpression("ADD failures :one SET expiresAtEpoch = :ttl")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":ttl", AttributeValue.fromN(Long.toString((window + 2) * 60))))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        if (updated != null && updated.containsKey("failures") && Long.parseLong(updated.get("failures").n()) > perMinute) {
            throw new TooManyFailures(secondsLeft(now));
        }
    }

    private static Map<String, AttributeValue> key(String source, Instant now) {
        return Map.of("id", AttributeValue.fromS(KEY_PREFIX + (source == null ? "unknown" : source) + "#" + now.getEpochSecond() / 60));
    }

    private static long secondsLeft(Instant now) {
        return 60 - now.getEpochSecond() % 60;
    }
}
