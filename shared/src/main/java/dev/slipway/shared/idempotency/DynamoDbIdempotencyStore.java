package dev.slipway.shared.idempotency;

import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.DeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@link IdempotencyStore} on the IdempotencyTable: every state change is a conditional put or
 * delete, so two concurrent first calls cannot both acquire a key, and a late finisher cannot
 * overwrite a record another call took over. Bodies are kept gzipped (presigned URLs and file lists
 * compress well); one still larger than {@link #MAX_BODY_BYTES} is kept as a marker without body.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbIdempotencyStore.class);
    private static final TableSchema<IdempotencyItem> SCHEMA = TableSchema.fromBean(IdempotencyItem.class);
    private static final Map<String, String> NAMES = Map.of("#pk", "pk", "#st", "state", "#exp", "expiresAt",
            "#lock", "lockedUntil", "#fp", "fingerprint");

    private final DynamoDbTable<IdempotencyItem> table;

    public DynamoDbIdempotencyStore(DynamoDbEnhancedClient client, String tableName) {
        this.table = client.table(tableName, SCHEMA);
    }

    /** The store a handler's router uses: the table template.yaml names in IDEMPOTENCY_TABLE. */
    public static DynamoDbIdempotencyStore from(Config config, AwsClients aws) {
        return new DynamoDbIdempotencyStore(aws.dynamoDbEnhanced(), config.require(EnvNames.IDEMPOTENCY_TABLE));
    }

    @Override
    public Outcome acquire(String key, String fingerprint, String owner, Instant now) {
        IdempotencyItem item = new IdempotencyItem();
        item.setPk(key);
        item.setState(IdempotencyItem.IN_PROGRESS);
        item.setFingerprint(fingerprint);
        item.setOwner(owner);
        item.setLockedUntil(now.plus(LOCK_FOR).toEpochMilli());
        item.setExpiresAt(now.plus(KEEP_FOR).getEpochSecond());
        item.setCreatedAt(now.toString());
        // Absent, expired (TTL deletes lazily), or the same request's lock abandoned by a crashed call.
        Expression free = Expression.builder()
                .expression("attribute_not_exists(#pk) OR #exp <= :nowSec"
                        + " OR (#st = :inProgress AND #lock <= :nowMs AND #fp = :fp)")
                .expressionNames(NAMES)
                .expressionValues(Map.of(
                        ":nowSec", AttributeValue.fromN(Long.toString(now.getEpochSecond())),
                        ":nowMs", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                        ":inProgress", AttributeValue.fromS(IdempotencyItem.IN_PROGRESS),
                        ":fp", AttributeValue.fromS(fingerprint)))
                .build();
        // A record can vanish or expire between the failed put and the read: then try again.
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                table.putItem(PutItemEnhancedRequest.builder(IdempotencyItem.class).item(item).conditionExpression(free).build());
                return new Acquired();
            } catch (ConditionalCheckFailedException taken) {
                IdempotencyItem existing = table.getItem(r -> r.key(Key.builder().partitionValue(key).build()).consistentRead(true));
                if (existing == null || existing.getExpiresAt() == null || existing.getExpiresAt() <= now.getEpochSecond()) {
                    continue;
                }
                if (!fingerprint.equals(existing.getFingerprint())) {
                    return new Mismatch();
                }
                if (IdempotencyItem.COMPLETED.equals(existing.getState())) {
                    return new Completed(response(existing));
                }
                Instant lockedUntil = Instant.ofEpochMilli(existing.getLockedUntil() == null ? 0 : existing.getLockedUntil());
                if (lockedUntil.isAfter(now)) {
                    return new InProgress(lockedUntil);
                }
            }
        }
        throw new IllegalStateException("idempotency key kept changing while being acquired");
    }

    @Override
    public void complete(String key, String fingerprint, String owner, StoredResponse response, Instant now) {
        IdempotencyItem item = new IdempotencyItem();
        item.setPk(key);
        item.setState(IdempotencyItem.COMPLETED);
        item.setFingerprint(fingerprint);
        item.setOwner(owner);
        item.setLockedUntil(0L);
        item.setExpiresAt(now.plus(KEEP_FOR).getEpochSecond());
        item.setCreatedAt(now.toString());
        item.setStatusCode(response.status());
        item.setHeaders(response.headers());
        item.setBase64(response.base64());
        byte[] gz = response.body() == null ? null : gzip(response.body());
        boolean kept = gz == null || gz.length <= MAX_BODY_BYTES;
        item.setBodyKept(kept);
        if (gz != null && kept) {
            item.setBody(SdkBytes.fromByteArrayUnsafe(gz));
        }
        try {
            table.putItem(PutItemEnhancedRequest.builder(IdempotencyItem.class).item(item)
                    .conditionExpression(ownedInProgress(owner)).build());
        } catch (ConditionalCheckFailedException takenOver) {
            LOG.warn("idempotency record {} was taken over before the first call completed; its answer is not kept", key);
        }
    }

    @Override
    public void release(String key, String owner) {
        try {
            table.deleteItem(DeleteItemEnhancedRequest.builder().key(Key.builder().partitionValue(key).build())
                    .conditionExpression(ownedInProgress(owner)).build());
        } catch (ConditionalCheckFailedException takenOver) {
            // another call holds the key now; leave its record alone
        }
    }

    private static Expression ownedInProgress(String owner) {
        return Expression.builder()
                .expression("#owner = :owner AND #st = :inProgress")
                .expressionNames(Map.of("#owner", "owner", "#st", "state"))
                .expressionValues(Map.of(":owner", AttributeValue.fromS(owner),
                        ":inProgress", AttributeValue.fromS(IdempotencyItem.IN_PROGRESS)))
                .build();
    }

    private static StoredResponse response(IdempotencyItem i) {
        boolean kept = !Boolean.FALSE.equals(i.getBodyKept());
        String body = kept && i.getBody() != null ? gunzip(i.getBody().asByteArrayUnsafe()) : null;
        return new StoredResponse(i.getStatusCode() == null ? 500 : i.getStatusCode(), i.getHeaders(), body,
                Boolean.TRUE.equals(i.getBase64()), kept);
    }

    static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String gunzip(byte[] b) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
