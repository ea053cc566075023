package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchGetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link AliasStore} on the ReleasesTable: {@code alias#}, {@code aliasv#} and {@code ref#} items. */
final class DynamoDbAliases implements AliasStore {
    private final DeployTable t;

    DynamoDbAliases(DeployTable table) {
        this.t = table;
    }

    @Override
    public Optional<Alias> get(String appId, String name) {
        return t.get(appId, DeployItem.ALIAS + name).map(i -> DeployTable.doc(i, Alias.class));
    }

    @Override
    public Map<String, Alias> getAll(String appId, Collection<String> names) {
        Map<String, Alias> found = new HashMap<>();
        List<String> all = new ArrayList<>(new LinkedHashSet<>(names));
        for (int from = 0; from < all.size(); from += 100) {
            var batch = ReadBatch.builder(DeployItem.class).mappedTableResource(t.table);
            for (String name : all.subList(from, Math.min(all.size(), from + 100))) {
                batch.addGetItem(r -> r.key(DeployTable.key(appId, DeployItem.ALIAS + name)).consistentRead(true));
            }
            t.client.batchGetItem(BatchGetItemEnhancedRequest.builder().readBatches(batch.build()).build())
                    .resultsForTable(t.table)
                    .forEach(i -> {
                        Alias a = DeployTable.doc(i, Alias.class);
                        found.put(a.name(), a);
                    });
        }
        return found;
    }

    @Override
    public void move(AliasMove move) {
        Alias next = move.next();
        long expectedVersion = move.expectedVersion();
        AuditEvent event = move.events().get(0);
        DeployTable.Tx tx = t.tx();
        tx.put(DeployItem.of(next.appId(), DeployItem.ALIAS + next.name(), null, next.version(), next.releaseId(), Json.write(next)),
                expectedVersion == 0 ? DeployTable.notExists() : DeployTable.version(expectedVersion), WriteConflict.Part.ALIAS);
        tx.check(next.appId(), DeployItem.RELEASE + next.releaseId(), DeployTable.status(ReleaseStatus.READY), WriteConflict.Part.RELEASE);
        // The alias's history: one item per version, so "where was it before" is one read, never a scan.
        tx.put(DeployItem.of(next.appId(), DeployTable.historyKey(next.name(), next.version()), null, next.version(), next.releaseId(),
                Json.write(versionOf(next, event))), DeployTable.notExists(), WriteConflict.Part.ALIAS);
        if (leavesPrevious(next, expectedVersion)) {
            // The release left behind may have lost its last reference: the cleanup looks at it.
            tx.leaves(next.appId(), next.name(), next.previousReleaseId(), next.updatedAt(), "left by " + next.name());
        }
        tx.put(DeployItem.of(next.appId(), DeployTable.refKey(next.releaseId(), next.name()), null, null, next.releaseId(), null),
                null, WriteConflict.Part.ITEM);
        tx.audit(move.events());
        move.previewMustExist().ifPresent(name -> tx.check(next.appId(), DeployItem.PREVIEW + name,
                Expression.builder().expression("attribute_exists(#k)").putExpressionName("#k", "key").build(), WriteConflict.Part.ITEM));
        move.finishing().ifPresent(f -> tx.put(DeployTable.item(f.finished()), DeployTable.version(f.expectedVersion()), WriteConflict.Part.ITEM));
        tx.write();
    }

    /** Whether the move leaves a release behind (its ref goes and it becomes a sweep candidate). */
    static boolean leavesPrevious(Alias next, long expectedVersion) {
        return next.previousReleaseId() != null && !next.previousReleaseId().equals(next.releaseId()) && expectedVersion > 0;
    }

    /** The history item of a move: the alias's own audit event says by which action, actor and reason. */
    static AliasVersion versionOf(Alias next, AuditEvent event) {
        return new AliasVersion(next.version(), next.releaseId(), next.previousReleaseId(), next.pinned(), event.action(),
                event.actor(), event.after() != null && event.after().hasNonNull("reason") ? event.after().get("reason").asText() : null,
                next.deploymentId(), event.seq(), next.updatedAt());
    }

    @Override
    public List<AliasVersion> history(String appId, String name, int limit) {
        List<AliasVersion> out = new ArrayList<>();
        for (Page<DeployItem> page : t.table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(DeployTable.key(appId, DeployItem.ALIAS_HISTORY + name + "#")))
                .scanIndexForward(false).consistentRead(true).limit(Math.min(limit, 1000)).build())) {
            for (DeployItem i : page.items()) {
                out.add(DeployTable.doc(i, AliasVersion.class));
                if (out.size() >= limit) {
                    return out;
                }
            }
        }
        return out;
    }

    @Override
    public boolean referenced(String appId, String releaseId) {
        return !t.table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(DeployTable.key(appId, DeployItem.REF + releaseId + "#")))
                .consistentRead(true).limit(1).build()).iterator().next().items().isEmpty();
    }
}
