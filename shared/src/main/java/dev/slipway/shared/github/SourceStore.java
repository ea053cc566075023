package dev.slipway.shared.github;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub sources and the deliveries already taken, in the access table. A source changes with its
 * audit event on the app's chain; a delivery id is claimed once by a conditional put (kept a week, as
 * GitHub redelivers for days), so a replay does nothing.
 */
public final class SourceStore {
    static final String DELIVERY_PREFIX = "github-delivery#";
    static final Duration KEEP_DELIVERIES = Duration.ofDays(8);
    private static final TableSchema<SourceItem> SCHEMA = TableSchema.fromBean(SourceItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbClient dynamo;
    private final DynamoDbTable<SourceItem> table;
    private final String tableName;
    private final AuditLedger ledger;

    public SourceStore(DynamoDbEnhancedClient client, DynamoDbClient dynamo, String tableName, AuditLedger ledger) {
        this.client = client;
        this.dynamo = dynamo;
        this.table = client.table(tableName, SCHEMA);
        this.tableName = tableName;
        this.ledger = ledger;
    }

    public AuditHead auditHead(String appId) {
        return ledger.head(appId);
    }

    public Optional<GitHubSource> get(String appId) {
        SourceItem item = table.getItem(r -> r.key(Key.builder().partitionValue(SourceItem.KEY_PREFIX + appId).build()).consistentRead(true));
        return Optional.ofNullable(item).map(SourceItem::toSource);
    }

    public void write(GitHubSource source, AuditEvent event) {
        Expression condition = source.version() == 1
                ? Expression.builder().expression("attribute_not_exists(id)").build()
                : Expression.builder().expression("version = :v")
                        .putExpressionValue(":v", AttributeValue.fromN(Long.toString(source.version() - 1))).build();
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(SourceItem.class).item(SourceItem.from(source))
                .conditionExpression(condition).build());
        List<WriteConflict.Part> parts = new ArrayList<>();
        parts.add(WriteConflict.Part.ITEM);
        parts.addAll(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    /** True the first time a delivery id is seen for the app; false for a replay. */
    public boolean claimDelivery(String appId, String deliveryId, Instant now) {
        try {
            dynamo.putItem(r -> r.tableName(tableName)
                    .item(Map.of("id", AttributeValue.fromS(DELIVERY_PREFIX + appId + "#" + deliveryId),
                            "receivedAt", AttributeValue.fromS(now.toString()),
                            "expiresAtEpoch", AttributeValue.fromN(Long.toString(now.plus(KEEP_DELIVERIES).getEpochSecond()))))
                    .conditionExpression("attribute_not_exists(id)"));
            return true;
        } catch (ConditionalCheckFailedException seen) {
            return false;
        }
    }

    /** Gives a claimed delivery back (its work could not be queued, so GitHub's redelivery should run it). */
    public void releaseDelivery(String appId, String deliveryId) {
        dynamo.deleteItem(r -> r.tableName(tableName).key(Map.of("id", AttributeValue.fromS(DELIVERY_PREFIX + appId + "#" + deliveryId))));
    }
}
