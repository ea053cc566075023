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
public final class AuditLedger implements AuditHeads {
    static final long HEAD_SEQ = 0;
    private static final TableSchema<AuditItem> SCHEMA = TableSchema.fromBean(AuditItem.class);

    private final DynamoDbTable<AuditItem> table;

    public AuditLedger(DynamoDbEnhancedClient client, String tableName) {
        this.table = client.table(tableName, SCHEMA);
    }

    @Override
    public AuditHead head(String appId) {
        AuditItem item = table.getItem(r -> r.key(key(appId, HEAD_SEQ)).consistentRead(true));
        return item == null ? AuditHead.EMPTY : new AuditHead(item.getHeadSeq(), item.getHeadHash());
    }

    /**
     * Adds the event and the moved head to {@code tx}; returns the parts it added so a failed
     * condition can be told apart from the caller's own.
     */
    public List<WriteConflict.Part> appendTo(TransactWriteItemsEnhancedRequest.Builder tx, AuditEvent event) {
        return appendTo(tx, List.of(event));
    }

    /**
     * Adds several events that must commit together (a deployment finishing and the alias moving)
     * with ONE head move: the events must be consecutive links (seq n+1, n+2, … each prevHash the
     * previous hash; build them with {@link AuditEvent#next} from the previous event's
     * {@link AuditEvent#asHead()}). The head's compare-and-set is on the first event's predecessor.
     * A transaction holds at most 100 items, the caller's own included.
     */
    public List<WriteConflict.Part> appendTo(TransactWriteItemsEnhancedRequest.Builder tx, List<AuditEvent> events) {
        AuditEvent.requireConsecutive(events);
        AuditEvent first = events.get(0);
        AuditEvent last = events.get(events.size() - 1);
        AuditItem headItem = new AuditItem();
        headItem.setAppId(first.appId());
        headItem.setSeq(HEAD_SEQ);
        headItem.setHeadSeq(last.seq());
        headItem.setHeadHash(last.hash());
        Expression headCondition = first.seq() == 1
                ? Expression.builder().expression("attribute_not_exists(appId)").build()
                : Expression.builder().expression("headSeq = :prev AND headHash = :prevHash")
                        .putExpressionValue(":prev", AttributeValue.fromN(Long.toString(first.seq() - 1)))
                        .putExpressionValue(":prevHash", AttributeValue.fromS(first.prevHash()))
                        .build();
        List<WriteConflict.Part> parts = new ArrayList<>();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(AuditItem.class)
                .item(headItem).conditionExpression(headCondition).build());
        parts.add(WriteConflict.Part.AUDIT_HEAD);
        for (AuditEvent e : events) {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(AuditItem.class)
                    .item(toItem(e))
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(appId)").build())
                    .build());
            parts.add(WriteConflict.Part.AUDIT_HEAD);
        }
        return parts;
    }

    /** One page of an app's trail, oldest first; {@code nextSeq} is where the next page starts (null: none yet). */
    public record Page(List<AuditEvent> events, Long nextSeq) {
    }

    /** Up to {@code limit} events from {@code fromSeq} on, and whether the trail goes on (per the head). */
    public Page page(String appId, long fromSeq, int limit) {
        List<AuditEvent> events = events(appId, fromSeq, limit);
        if (events.size() < limit) {
            return new Page(events, null);
        }
        long next = events.get(events.size() - 1).seq() + 1;
        return new Page(events, head(appId).seq() >= next ? next : null);
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
        if (head.seq() > events) {
            return ChainVerification.broken(events, events + 1,
                    "the chain head names seq " + head.seq() + " but the trail ends at " + events + ": event " + (events + 1) + " is missing");
        }
        if (head.seq() < events) {
            return ChainVerification.broken(head.seq(), head.seq() + 1,
                    "event " + (head.seq() + 1) + " is past the chain head (seq " + head.seq() + "): it was inserted");
        }
        if (!head.hash().equals(prev)) {
            return ChainVerification.broken(Math.max(0, events - 1), Math.max(1, events), "the chain head's hash does not match event " + events);
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
