package dev.slipway.shared.auth;

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
import software.amazon.awssdk.enhanced.dynamodb.model.ScanEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scoped tokens in the access table, each change with its audit event on the {@link #AUDIT_CHAIN}
 * chain in the same transaction; compare-and-set on {@code version}.
 */
public final class TokenStore {
    /** The audit chain of token changes: not an app id (those start with a letter), so no app can own it. */
    public static final String AUDIT_CHAIN = "_tokens";
    private static final TableSchema<TokenItem> SCHEMA = TableSchema.fromBean(TokenItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbClient dynamo;
    private final DynamoDbTable<TokenItem> table;
    private final String tableName;
    private final AuditLedger ledger;

    public TokenStore(DynamoDbEnhancedClient client, DynamoDbClient dynamo, String tableName, AuditLedger ledger) {
        this.client = client;
        this.dynamo = dynamo;
        this.table = client.table(tableName, SCHEMA);
        this.tableName = tableName;
        this.ledger = ledger;
    }

    public AuditHead auditHead() {
        return ledger.head(AUDIT_CHAIN);
    }

    public Optional<Token> get(String id) {
        TokenItem item = table.getItem(r -> r.key(key(id)).consistentRead(true));
        return Optional.ofNullable(item).map(TokenItem::toToken);
    }

    /** Writes new tokens and changed ones (each changed one at its previous version) with their events, all or nothing. */
    public void write(List<Token> created, List<Token> changed, List<AuditEvent> events) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        List<WriteConflict.Part> parts = new ArrayList<>();
        for (Token t : created) {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(TokenItem.class).item(TokenItem.from(t))
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(id)").build()).build());
            parts.add(WriteConflict.Part.ITEM);
        }
        for (Token t : changed) {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(TokenItem.class).item(TokenItem.from(t))
                    .conditionExpression(Expression.builder().expression("version = :v")
                            .putExpressionValue(":v", AttributeValue.fromN(Long.toString(t.version() - 1))).build()).build());
            parts.add(WriteConflict.Part.ITEM);
        }
        parts.addAll(ledger.appendTo(tx, events));
        Transactions.write(client, tx.build(), parts);
    }

    /** Every token, newest first (an owner has tens; a scan is fine). */
    public List<Token> list() {
        List<Token> all = new ArrayList<>();
        table.scan(ScanEnhancedRequest.builder().consistentRead(true)
                        .filterExpression(Expression.builder().expression("begins_with(id, :p)")
                                .putExpressionValue(":p", AttributeValue.fromS(TokenItem.KEY_PREFIX)).build()).build())
                .items().forEach(i -> all.add(i.toToken()));
        all.sort(Comparator.comparing(Token::createdAt).reversed().thenComparing(Token::id));
        return all;
    }

    /**
     * Records a use, at most once per {@code every}: a plain conditional update, outside the audit
     * chain (a use changes nothing), and skipped when another request just did it.
     */
    public void touch(String id, Instant now, java.time.Duration every) {
        try {
            dynamo.updateItem(r -> r.tableName(tableName)
                    .key(Map.of("id", AttributeValue.fromS(TokenItem.KEY_PREFIX + id)))
                    .updateExpression("SET lastUsedAt = :now")
                    .conditionExpression("attribute_exists(id) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :before)")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString()),
                            ":before", AttributeValue.fromS(now.minus(every).toString()))));
        } catch (ConditionalCheckFailedException recent) {
            // used within the interval already
        }
    }

    private static Key key(String id) {
        return Key.builder().partitionValue(TokenItem.KEY_PREFIX + id).build();
    }
}
