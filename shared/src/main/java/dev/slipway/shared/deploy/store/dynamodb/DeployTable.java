package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ReleasesTable as the DynamoDB stores share it: the item layout ({@link DeployItem}), keys,
 * conditions, reads, and {@link Tx}, one transaction that several stores' writes join.
 */
final class DeployTable {
    private static final TableSchema<DeployItem> SCHEMA = TableSchema.fromBean(DeployItem.class);

    final DynamoDbEnhancedClient client;
    final DynamoDbTable<DeployItem> table;
    final AuditLedger ledger;

    DeployTable(DynamoDbEnhancedClient client, String tableName, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
        this.ledger = ledger;
    }

    /**
     * One transaction being built: each added write names what its condition guards, so a
     * cancellation says which failed ({@link Transactions#write}).
     */
    final class Tx {
        final TransactWriteItemsEnhancedRequest.Builder builder = TransactWriteItemsEnhancedRequest.builder();
        final List<WriteConflict.Part> parts = new ArrayList<>();

        Tx put(DeployItem item, Expression condition, WriteConflict.Part part) {
            var put = TransactPutItemEnhancedRequest.builder(DeployItem.class).item(item);
            if (condition != null) {
                put.conditionExpression(condition);
            }
            builder.addPutItem(table, put.build());
            parts.add(part);
            return this;
        }

        Tx delete(String appId, String sortKey, Expression condition, WriteConflict.Part part) {
            var delete = TransactDeleteItemEnhancedRequest.builder().key(key(appId, sortKey));
            if (condition != null) {
                delete.conditionExpression(condition);
            }
            builder.addDeleteItem(table, delete.build());
            parts.add(part);
            return this;
        }

        Tx check(String appId, String sortKey, Expression condition, WriteConflict.Part part) {
            builder.addConditionCheck(table, ConditionCheck.builder().key(key(appId, sortKey)).conditionExpression(condition).build());
            parts.add(part);
            return this;
        }

        /** The events and the head's compare-and-set (consecutive links, one head move). */
        Tx audit(List<AuditEvent> events) {
            parts.addAll(ledger.appendTo(builder, events));
            return this;
        }

        /**
         * Asks the cleanup to look at a release from {@code dueAt} on: {@code sweep#<releaseId>} in
         * the due index, replacing an earlier ask.
         */
        Tx sweepCandidate(String appId, String releaseId, Instant dueAt, String reason) {
            return put(sweepItem(appId, releaseId, dueAt, reason), null, WriteConflict.Part.ITEM);
        }

        /** Alias {@code aliasName} no longer points at {@code releaseId}: its ref goes, the release becomes a sweep candidate. */
        Tx leaves(String appId, String aliasName, String releaseId, Instant at, String reason) {
            delete(appId, refKey(releaseId, aliasName), null, WriteConflict.Part.ITEM);
            return sweepCandidate(appId, releaseId, at, reason);
        }

        void write() {
            Transactions.write(client, builder.build(), parts);
        }
    }

    Tx tx() {
        return new Tx();
    }

    Optional<DeployItem> get(String appId, String sortKey) {
        return Optional.ofNullable(table.getItem(r -> r.key(key(appId, sortKey)).consistentRead(true)));
    }

    record ItemPage(List<DeployItem> items, String next) {
    }

    /** Newest first by key under {@code prefix}; the cursor is the last id seen (a ULID). */
    ItemPage page(String appId, String prefix, int limit, String cursor) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(key(appId, prefix)))
                .scanIndexForward(false).limit(limit).consistentRead(true);
        if (cursor != null) {
            String id = Cursors.decode(cursor);
            if (!Ulid.isValid(id.toUpperCase())) {
                throw Cursors.invalid();
            }
            q.exclusiveStartKey(Map.of("appId", AttributeValue.fromS(appId), "key", AttributeValue.fromS(prefix + id)));
        }
        Page<DeployItem> page = table.query(q.build()).iterator().next();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        String next = last == null || last.isEmpty() ? null
                : Cursors.encode(last.get("key").s().substring(prefix.length()));
        return new ItemPage(page.items(), next);
    }

    static Key key(String appId, String sortKey) {
        return Key.builder().partitionValue(appId).sortValue(sortKey).build();
    }

    static String refKey(String releaseId, String aliasName) {
        return DeployItem.REF + releaseId + "#" + aliasName;
    }

    static String historyKey(String name, long version) {
        return DeployItem.ALIAS_HISTORY + name + "#" + String.format("%019d", version);
    }

    static DeployItem item(Deployment d) {
        return DeployItem.of(d.appId(), DeployItem.DEPLOYMENT + d.id(), d.status().name(), d.version(), d.releaseId(), Json.write(d));
    }

    static DeployItem item(Release r) {
        return DeployItem.of(r.appId(), DeployItem.RELEASE + r.id(), r.status().name(), null, r.id(), Json.write(r));
    }

    static <T> T doc(DeployItem i, Class<T> type) {
        return Json.MAPPER.convertValue(Json.parse(i.getDoc()), type);
    }

    static DeployItem sweepItem(String appId, String releaseId, Instant dueAt, String reason) {
        DeployItem i = DeployItem.of(appId, DeployItem.SWEEP + releaseId, null, null, releaseId,
                Json.write(Json.object().put("reason", reason).put("since", dueAt.toString())));
        i.setDueKind(DeployItem.DUE_SWEEP);
        i.setDueAt(dueAt.toEpochMilli());
        return i;
    }

    static Expression notExists() {
        return Expression.builder().expression("attribute_not_exists(appId)").build();
    }

    static Expression version(long expected) {
        return Expression.builder().expression("version = :v")
                .putExpressionValue(":v", AttributeValue.fromN(Long.toString(expected))).build();
    }

    static Expression dueAtIs(long dueAt) {
        return Expression.builder().expression("dueAt = :due")
                .putExpressionValue(":due", AttributeValue.fromN(Long.toString(dueAt))).build();
    }

    static Expression status(ReleaseStatus s) {
        return Expression.builder().expression("#s = :s").putExpressionName("#s", "status")
                .putExpressionValue(":s", AttributeValue.fromS(s.name())).build();
    }
}
