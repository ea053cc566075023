package dev.slipway.shared.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data table: per app, JSON records by id, each written by compare-and-set on its version and,
 * when it is a change of state, with its audit event in the same transaction.
 */
public final class DataRecords {
    /** A record as stored: its JSON and the version the next write must expect. */
    public record Stored(ObjectNode body, long version) {
    }

    private static final TableSchema<DataItem> SCHEMA = TableSchema.fromBean(DataItem.class);
    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<DataItem> table;
    private final AuditLedger ledger;

    public DataRecords(DynamoDbEnhancedClient client, String tableName, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
        this.ledger = ledger;
    }

    public AuditHead auditHead(String appId) {
        return ledger.head(appId);
    }

    public Optional<Stored> get(String appId, String id) {
        DataItem item = table.getItem(r -> r.key(key(appId, id)).consistentRead(true));
        return Optional.ofNullable(item).map(DataRecords::stored);
    }

    /** The app's records whose id starts with {@code prefix}, in id order (ULIDs: oldest first). */
    public List<Stored> list(String appId, String prefix) {
        List<Stored> out = new ArrayList<>();
        table.query(r -> r.queryConditional(QueryConditional.sortBeginsWith(k -> k.partitionValue(appId).sortValue(prefix)))
                .consistentRead(true)).items().forEach(i -> out.add(stored(i)));
        return out;
    }

    /**
     * Writes {@code body} as version {@code expected + 1} (0: the record must not exist yet), with
     * {@code event} when it is not null. A concurrent write makes it a {@link WriteConflict}.
     */
    public long put(String appId, String id, ObjectNode body, long expected, Long expiresAtEpoch, AuditEvent event) {
        DataItem item = new DataItem();
        item.setAppId(appId);
        item.setId(id);
        item.setBody(Json.write(body));
        item.setVersion(expected + 1);
        item.setExpiresAtEpoch(expiresAtEpoch);
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DataItem.class).item(item).conditionExpression(expected(expected)).build());
        write(tx, event);
        return expected + 1;
    }

    /** Deletes the record if it is still at {@code expected}, with its event. */
    public void delete(String appId, String id, long expected, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addDeleteItem(table, TransactDeleteItemEnhancedRequest.builder().key(key(appId, id)).conditionExpression(expected(expected)).build());
        write(tx, event);
    }

    /** An event that goes with no record of this table (a download: something happened, nothing changed here). */
    public void appendEvent(AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        List<WriteConflict.Part> parts = new ArrayList<>(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    /** Every app with a record of this id (the schedule: the linked apps). A scan: the table holds a few records per app. */
    public List<String> appsWith(String id) {
        List<String> out = new ArrayList<>();
        table.scan(r -> r.filterExpression(Expression.builder().expression("#id = :id").putExpressionName("#id", "id")
                .putExpressionValue(":id", AttributeValue.fromS(id)).build())).items().forEach(i -> out.add(i.getAppId()));
        return out;
    }

    private void write(TransactWriteItemsEnhancedRequest.Builder tx, AuditEvent event) {
        List<WriteConflict.Part> parts = new ArrayList<>();
        parts.add(WriteConflict.Part.ITEM);
        if (event != null) {
            parts.addAll(ledger.appendTo(tx, event));
        }
        Transactions.write(client, tx.build(), parts);
    }

    private static Expression expected(long expected) {
        return expected == 0
                ? Expression.builder().expression("attribute_not_exists(appId)").build()
                : Expression.builder().expression("version = :v").putExpressionValue(":v", AttributeValue.fromN(Long.toString(expected))).build();
    }

    private static Key key(String appId, String id) {
        return Key.builder().partitionValue(appId).sortValue(id).build();
    }

    private static Stored stored(DataItem i) {
        return new Stored((ObjectNode) Json.parse(i.getBody()), i.getVersion() == null ? 0 : i.getVersion());
    }
}
