package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link PreviewStore} on the ReleasesTable: {@code preview#<name>} items, their expiry in the DueIndex. */
final class DynamoDbPreviews implements PreviewStore {
    private final DeployTable t;

    DynamoDbPreviews(DeployTable table) {
        this.t = table;
    }

    @Override
    public Optional<Preview> get(String appId, String name) {
        return t.get(appId, DeployItem.PREVIEW + name).map(i -> DeployTable.doc(i, Preview.class));
    }

    @Override
    public void put(Preview next, long expectedVersion, AuditEvent event) {
        DeployItem item = DeployItem.of(next.appId(), DeployItem.PREVIEW + next.name(), null, next.version(), null,
                Json.write(next));
        item.setDueKind(DeployItem.DUE_PREVIEW);
        item.setDueAt(next.expiresAt().toEpochMilli());
        t.tx().put(item, expectedVersion == 0 ? DeployTable.notExists() : DeployTable.version(expectedVersion), WriteConflict.Part.ITEM)
                .audit(List.of(event)).write();
    }

    @Override
    public void remove(Preview p, Optional<Alias> alias, AuditEvent event) {
        DeployTable.Tx tx = t.tx().delete(p.appId(), DeployItem.PREVIEW + p.name(), DeployTable.version(p.version()), WriteConflict.Part.ITEM);
        if (alias.isPresent()) {
            tx.delete(p.appId(), DeployItem.ALIAS + alias.get().name(), DeployTable.version(alias.get().version()), WriteConflict.Part.ALIAS);
            tx.leaves(p.appId(), alias.get().name(), alias.get().releaseId(), event.time(), "preview " + p.name() + " removed");
        }
        tx.audit(List.of(event)).write();
    }

    @Override
    public PreviewPage page(String appId, int limit, String afterName) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(DeployTable.key(appId, DeployItem.PREVIEW)))
                .limit(limit).consistentRead(true);
        if (afterName != null) {
            q.exclusiveStartKey(Map.of("appId", AttributeValue.fromS(appId), "key", AttributeValue.fromS(DeployItem.PREVIEW + afterName)));
        }
        Page<DeployItem> page = t.table.query(q.build()).iterator().next();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new PreviewPage(page.items().stream().map(i -> DeployTable.doc(i, Preview.class)).toList(),
                last == null || last.isEmpty() ? null : last.get("key").s().substring(DeployItem.PREVIEW.length()));
    }

    @Override
    public List<DuePreview> due(Instant now, int limit) {
        List<DuePreview> out = new ArrayList<>();
        var index = t.table.index(DeployItem.DUE_INDEX);
        for (Page<DeployItem> page : index.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortLessThanOrEqualTo(Key.builder()
                        .partitionValue(DeployItem.DUE_PREVIEW).sortValue(now.toEpochMilli()).build()))
                .limit(Math.min(limit, 1000)).build())) {
            for (DeployItem i : page.items()) {
                out.add(new DuePreview(i.getAppId(), i.getKey().substring(DeployItem.PREVIEW.length())));
                if (out.size() >= limit) {
                    return out;
                }
            }
        }
        return out;
    }
}
