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
import software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Console sessions in the access table, each sign-in and sign-out with its audit event on the
 * {@link #AUDIT_CHAIN} chain in the same transaction.
 */
public final class SessionStore {
    /** The audit chain of sign-ins and sign-outs: not an app id (those start with a letter). */
    public static final String AUDIT_CHAIN = "_sessions";
    private static final TableSchema<SessionItem> SCHEMA = TableSchema.fromBean(SessionItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<SessionItem> table;
    private final AuditLedger ledger;

    public SessionStore(DynamoDbEnhancedClient client, String tableName, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
        this.ledger = ledger;
    }

    public AuditHead auditHead() {
        return ledger.head(AUDIT_CHAIN);
    }

    public Optional<Session> get(String id) {
        SessionItem item = table.getItem(r -> r.key(key(id)).consistentRead(true));
        return Optional.ofNullable(item).map(SessionItem::toSession);
    }

    /** Writes a new session, or deletes one, with its event: all or nothing. */
    public void write(Session created, Session deleted, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        List<WriteConflict.Part> parts = new ArrayList<>();
        if (created != null) {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(SessionItem.class).item(SessionItem.from(created))
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(id)").build()).build());
            parts.add(WriteConflict.Part.ITEM);
        }
        if (deleted != null) {
            tx.addDeleteItem(table, TransactDeleteItemEnhancedRequest.builder().key(key(deleted.id()))
                    .conditionExpression(Expression.builder().expression("attribute_exists(id)").build()).build());
            parts.add(WriteConflict.Part.ITEM);
        }
        parts.addAll(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    private static Key key(String id) {
        return Key.builder().partitionValue(SessionItem.KEY_PREFIX + id).build();
    }
}
