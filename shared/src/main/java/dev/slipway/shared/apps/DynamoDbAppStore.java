package dev.slipway.shared.apps;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.store.TransactionPart;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.ScanEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link AppStore} on DynamoDB: one item per app, compare-and-set on {@code version}. */
public final class DynamoDbAppStore implements AppStore {
    private static final TableSchema<AppItem> SCHEMA = TableSchema.fromBean(AppItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<AppItem> table;
    private final AuditLedger ledger;

    public DynamoDbAppStore(DynamoDbEnhancedClient client, String appsTable, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(appsTable, SCHEMA);
        this.ledger = ledger;
    }

    @Override
    public void create(App app, AuditEvent event) {
        write(app, TransactionPart.NONE, Expression.builder().expression("attribute_not_exists(appId)").build(), event);
    }

    @Override
    public void replace(App updated, long expectedVersion, AuditEvent event) {
        replace(updated, expectedVersion, event, TransactionPart.NONE);
    }

    @Override
    public void replace(App updated, long expectedVersion, AuditEvent event, TransactionPart extra) {
        write(updated, extra, Expression.builder().expression("version = :v")
                .putExpressionValue(":v", AttributeValue.fromN(Long.toString(expectedVersion))).build(), event);
    }

    private void write(App app, TransactionPart extra, Expression condition, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(AppItem.class)
                .item(AppItem.from(app)).conditionExpression(condition).build());
        List<WriteConflict.Part> parts = new ArrayList<>();
        parts.add(WriteConflict.Part.ITEM);
        parts.addAll(ledger.appendTo(tx, event));
        parts.addAll(extra.addTo(tx));
        Transactions.write(client, tx.build(), parts);
    }

    @Override
    public Optional<App> get(String appId) {
        AppItem item = table.getItem(r -> r.key(Key.builder().partitionValue(appId).build()).consistentRead(true));
        return Optional.ofNullable(item).map(AppItem::toApp);
    }

    @Override
    public AuditHead auditHead(String appId) {
        return ledger.head(appId);
    }

    @Override
    public AppPage list(int limit, String cursor) {
        ScanEnhancedRequest.Builder scan = ScanEnhancedRequest.builder().limit(limit).consistentRead(true);
        if (cursor != null) {
            scan.exclusiveStartKey(Map.of("appId", AttributeValue.fromS(decodeCursor(cursor))));
        }
        // Scan, not Query: an owner has tens of apps, and one partition per app keeps writes apart.
        var pages = table.scan(scan.build()).iterator();
        Page<AppItem> page = pages.next();
        List<App> apps = new ArrayList<>(page.items().stream().map(AppItem::toApp).toList());
        apps.sort(Comparator.comparing(App::id));
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        String next = last == null || last.isEmpty() ? null : Cursors.encode(last.get("appId").s());
        return new AppPage(apps, next);
    }

    static String decodeCursor(String cursor) {
        String id = Cursors.decode(cursor);
        if (!AppId.isValid(id)) {
            throw Cursors.invalid();
        }
        return id;
    }
}
