package dev.slipway.shared.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-app, hash-chained audit trail. Changes never write to it on their own: they add
 * {@link #appendTo} to their own transaction, so a change and its event commit together or not at
 * all, and the head's compare-and-set keeps the chain linear under concurrent writers.
 */
public final class AuditLedger {
    static final long HEAD_SEQ = 0;
    private static final TableSchema<AuditItem> SCHEMA = TableSchema.fromBean(AuditItem.class);

    private final DynamoDbTable<AuditItem> table;

    public AuditLedger(DynamoDbEnhancedClient client, String tableName) {
        this.table = client.table(tableName, SCHEMA);
    }

    public AuditHead head(String appId) {
        AuditItem item = table.getItem(r -> r.key(key(appId, HEAD_SEQ)).consistentRead(true));
        return item == null ? AuditHead.EMPTY : new AuditHead(item.getHeadSeq(), item.getHeadHash());
    }

    /**
     * Adds the event and the moved head to {@code tx}; returns the parts it added so a failed
     * condition can be told apart from the caller's own.
     */
    public List<WriteConflict.Part> appendTo(TransactWriteItemsEnhancedRequest.Builder tx, AuditEvent event) {
        AuditItem headItem = new AuditItem();
        headItem.setAppId(event.appId());
        headItem.setSeq(HEAD_SEQ);
        headItem.setHeadSeq(event.seq());
        headItem.setHeadHash(event.hash());
        Expression headCondition = event.seq() == 1
                ? Expression.builder().expression("attribute_not_exists(appId)").build()
                : Expression.builder().expression("headSeq = :prev AND headHash = :prevHash")
                        .putExpressionValue(":prev", AttributeValue.fromN(Long.toString(event.seq() - 1)))
                        .putExpressionValue(":prevHash", AttributeValue.fromS(event.prevHash()))
                        .build();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(AuditItem.class)
                .item(headItem).conditionExpression(headCondition).build());
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(AuditItem.class)
                .item(toItem(event))
                .conditionExpression(Expression.builder().expression("attribute_not_exists(appId)").build())
                .build());
        return List.of(WriteConflict.Part.AUDIT_HEAD, WriteConflict.Part.AUDIT_HEAD);
    }

    /** Events with seq ≥ fromSeq, oldest first. */
    public List<AuditEvent> events(String appId, long fromSeq, int limit) {
        List<AuditEvent> out = new ArrayList<>();
        QueryEnhancedRequest q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortGreaterThanOrEqualTo(key(appId, Math.max(1, fromSeq))))
                .consistentRead(true)
                .limit(Math.min(limit, 1000))
                .build();
        for (var page : table.query(q)) {
            for (AuditItem item : page.items()) {
                out.add(fromItem(item));
                if (out.size() >= limit) {
                    return out;
                }
            }
        }
        return out;
    }

    /** Re-hashes the whole chain from seq 1 and checks every link and the head. */
    public ChainVerification verify(String appId) {
        AuditHead head = head(appId);
        String prev = AuditEvent.GENESIS;
        long expectedSeq = 1;
        QueryEnhancedRequest q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortGreaterThanOrEqualTo(key(appId, 1)))
                .consistentRead(true)
                .build();
        for (var page : table.query(q)) {
            for (AuditItem item : page.items()) {
                long seq = item.getSeq();
                if (seq != expectedSeq) {
                    return ChainVerification.broken(expectedSeq - 1, expectedSeq, "event " + expectedSeq + " is missing");
                }
                AuditEvent e;
                try {
                    e = fromItem(item);
                } catch (RuntimeException ex) {
                    return ChainVerification.broken(expectedSeq - 1, seq, "event is unreadable");
                }
                if (!prev.equals(e.prevHash())) {
                    return ChainVerification.broken(expectedSeq - 1, seq, "prevHash does not match the previous event's hash");
                }
                if (!e.computeHash().equals(e.hash())) {
                    return ChainVerification.broken(expectedSeq - 1, seq, "hash does not match the event's contents");
                }
                prev = e.hash();
                expectedSeq++;
            }
        }
        long events = expectedSeq - 1;
        if (head.seq() != events || !head.hash().equals(prev)) {
            return ChainVerification.broken(events, events + 1,
                    "the chain head names seq " + head.seq() + " but the trail ends at " + events);
        }
        return ChainVerification.ok(events, prev);
    }

    private static Key key(String appId, long seq) {
        return Key.builder().partitionValue(appId).sortValue(seq).build();
    }

    static AuditItem toItem(AuditEvent e) {
        AuditItem i = new AuditItem();
        i.setAppId(e.appId());
        i.setSeq(e.seq());
        i.setTime(e.time().toString());
        i.setActor(e.actor());
        i.setAction(e.action());
        i.setTarget(e.target());
        i.setBefore(e.before() == null ? null : Json.canonical(e.before()));
        i.setAfter(e.after() == null ? null : Json.canonical(e.after()));
        i.setRequestId(e.requestId());
        i.setSourceIp(e.sourceIp());
        i.setPrevHash(e.prevHash());
        i.setHash(e.hash());
        return i;
    }

    static AuditEvent fromItem(AuditItem i) {
        return new AuditEvent(i.getAppId(), i.getSeq(), Instant.parse(i.getTime()), i.getActor(), i.getAction(),
                i.getTarget(), parse(i.getBefore()), parse(i.getAfter()), i.getRequestId(), i.getSourceIp(),
                i.getPrevHash(), i.getHash());
    }

    private static JsonNode parse(String json) {
        return json == null ? null : Json.parse(json);
    }
}
