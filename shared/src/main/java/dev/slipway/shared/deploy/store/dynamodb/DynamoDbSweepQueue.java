package dev.slipway.shared.deploy.store.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.store.SweepQueue;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link SweepQueue} on the ReleasesTable: {@code sweep#<releaseId>} items in the (KEYS_ONLY) DueIndex. */
final class DynamoDbSweepQueue implements SweepQueue {
    private final DeployTable t;

    DynamoDbSweepQueue(DeployTable table) {
        this.t = table;
    }

    @Override
    public void put(String appId, String releaseId, Instant dueAt, String reason) {
        t.table.putItem(DeployTable.sweepItem(appId, releaseId, dueAt, reason));
    }

    @Override
    public DuePage due(Instant now, int limit, String cursor) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortLessThanOrEqualTo(Key.builder()
                        .partitionValue(DeployItem.DUE_SWEEP).sortValue(now.toEpochMilli()).build()))
                .limit(limit);
        if (cursor != null) {
            q.exclusiveStartKey(decode(cursor));
        }
        Page<DeployItem> page = t.table.index(DeployItem.DUE_INDEX).query(q.build()).iterator().next();
        List<DueSweep> out = new ArrayList<>();
        for (DeployItem i : page.items()) {
            if (i.getKey() != null && i.getKey().startsWith(DeployItem.SWEEP)) {
                out.add(new DueSweep(i.getAppId(), i.getKey().substring(DeployItem.SWEEP.length()), i.getDueAt()));
            }
        }
        Map<String, AttributeValue> next = page.lastEvaluatedKey();
        return new DuePage(out, next == null || next.isEmpty() ? null : encode(next));
    }

    /** The index's last evaluated key as a cursor: its attributes, each a string (S) or a number (N). */
    private static String encode(Map<String, AttributeValue> key) {
        ObjectNode n = Json.object();
        key.forEach((name, v) -> {
            if (v.s() != null) {
                n.putObject(name).put("S", v.s());
            } else {
                n.putObject(name).put("N", v.n());
            }
        });
        return Json.write(n);
    }

    private static Map<String, AttributeValue> decode(String cursor) {
        Map<String, AttributeValue> key = new HashMap<>();
        JsonNode n = Json.parse(cursor);
        n.fields().forEachRemaining(e -> key.put(e.getKey(), e.getValue().has("S")
                ? AttributeValue.fromS(e.getValue().get("S").asText()) : AttributeValue.fromN(e.getValue().get("N").asText())));
        return key;
    }

    @Override
    public Optional<SweepItem> find(String appId, String releaseId) {
        return t.get(appId, DeployItem.SWEEP + releaseId).map(i -> new SweepItem(appId, releaseId,
                i.getDueAt() == null ? 0 : i.getDueAt(), i.getDoc() == null ? null : Json.parse(i.getDoc()).path("reason").asText(null)));
    }

    @Override
    public boolean reschedule(SweepItem seen, Instant dueAt, String reason) {
        try {
            t.table.putItem(x -> x.item(DeployTable.sweepItem(seen.appId(), seen.releaseId(), dueAt, reason))
                    .conditionExpression(DeployTable.dueAtIs(seen.dueAt())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean drop(SweepItem seen) {
        try {
            t.table.deleteItem(x -> x.key(DeployTable.key(seen.appId(), DeployItem.SWEEP + seen.releaseId()))
                    .conditionExpression(DeployTable.dueAtIs(seen.dueAt())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
