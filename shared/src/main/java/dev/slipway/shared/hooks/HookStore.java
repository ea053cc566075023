package dev.slipway.shared.hooks;

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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Deploy hooks in the access table; each change with its audit event on the app's chain, in one transaction. */
public final class HookStore {
    private static final TableSchema<HookItem> SCHEMA = TableSchema.fromBean(HookItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<HookItem> table;
    private final AuditLedger ledger;

    public HookStore(DynamoDbEnhancedClient client, String tableName, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
        this.ledger = ledger;
    }

    public AuditHead auditHead(String appId) {
        return ledger.head(appId);
    }

    public Optional<DeployHook> get(String id) {
        HookItem item = table.getItem(r -> r.key(Key.builder().partitionValue(HookItem.KEY_PREFIX + id).build()).consistentRead(true));
        return Optional.ofNullable(item).map(HookItem::toHook);
    }

    /** A new hook (version 1) or a changed one (at its previous version), with its event. */
    public void write(DeployHook hook, AuditEvent event) {
        Expression condition = hook.version() == 1
                ? Expression.builder().expression("attribute_not_exists(id)").build()
                : Expression.builder().expression("version = :v")
                        .putExpressionValue(":v", AttributeValue.fromN(Long.toString(hook.version() - 1))).build();
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(HookItem.class).item(HookItem.from(hook))
                .conditionExpression(condition).build());
        List<WriteConflict.Part> parts = new ArrayList<>();
        parts.add(WriteConflict.Part.ITEM);
        parts.addAll(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    /** An app's hooks, newest first (a scan: an owner has a handful). */
    public List<DeployHook> list(String appId) {
        List<DeployHook> all = new ArrayList<>();
        table.scan(ScanEnhancedRequest.builder().consistentRead(true)
                        .filterExpression(Expression.builder().expression("begins_with(id, :p) AND appId = :a")
                                .expressionValues(Map.of(":p", AttributeValue.fromS(HookItem.KEY_PREFIX), ":a", AttributeValue.fromS(appId)))
                                .build()).build())
                .items().forEach(i -> all.add(i.toHook()));
        all.sort(Comparator.comparing(DeployHook::createdAt).reversed().thenComparing(DeployHook::id));
        return all;
    }
}
