package dev.slipway.shared.deploy;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.http.Paging;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.TransactionPart;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchGetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchWriteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Releases, deployments and aliases of every app, in one DynamoDB table (see {@link DeployItem}).
 * Every state change that an owner would care about is written with its audit event in one
 * transaction; aliases move only by compare-and-set and only onto READY releases.
 */
public final class ReleaseStore {
    private static final TableSchema<DeployItem> SCHEMA = TableSchema.fromBean(DeployItem.class);
    /** How long a READY release no alias has served is kept before the cleanup may remove it. */
    public static final java.time.Duration UNSERVED_GRACE = java.time.Duration.ofDays(7);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<DeployItem> table;
    private final AuditLedger ledger;

    public ReleaseStore(DynamoDbEnhancedClient client, String tableName, AuditLedger ledger) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
        this.ledger = ledger;
    }

    public AuditLedger ledger() {
        return ledger;
    }

    // ---- deployments

    public void createDeployment(Deployment d, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                .item(item(d)).conditionExpression(notExists()).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ITEM));
        parts.addAll(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    public Optional<Deployment> deployment(String appId, String id) {
        return get(appId, DeployItem.DEPLOYMENT + id).map(i -> Json.MAPPER.convertValue(Json.parse(i.getDoc()), Deployment.class));
    }

    public record DeploymentPage(List<Deployment> items, String next) {
    }

    /** Newest first (ids are ULIDs, so key order is time order). */
    public DeploymentPage deployments(String appId, int limit, String cursor) {
        var page = page(appId, DeployItem.DEPLOYMENT, limit, cursor);
        return new DeploymentPage(page.items().stream()
                .map(i -> Json.MAPPER.convertValue(Json.parse(i.getDoc()), Deployment.class)).toList(), page.next());
    }

    /**
     * Applies {@code change} by compare-and-set on the deployment's version, re-reading and
     * re-applying when another writer got there first. Returns the stored result.
     */
    public Deployment updateDeployment(String appId, String id, UnaryOperator<Deployment> change) {
        for (int attempt = 0; ; attempt++) {
            Deployment current = deployment(appId, id)
                    .orElseThrow(() -> new IllegalStateException("deployment " + id + " of " + appId + " does not exist"));
            Deployment next = change.apply(current);
            if (next == current) {
                return current;
            }
            try {
                table.putItem(r -> r.item(item(next)).conditionExpression(version(current.version())));
                return next;
            } catch (ConditionalCheckFailedException e) {
                if (attempt >= 20) {
                    throw new WriteConflict(WriteConflict.Part.ITEM, "deployment " + id + " keeps changing");
                }
            }
        }
    }

    /** A deployment's final state and its audit event, together; {@code extra} joins the transaction. */
    public void finishDeployment(Deployment finished, long expectedVersion, AuditEvent event, TransactionPart extra) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                .item(item(finished)).conditionExpression(version(expectedVersion)).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ITEM));
        parts.addAll(ledger.appendTo(tx, event));
        parts.addAll(extra.addTo(tx));
        Transactions.write(client, tx.build(), parts);
    }

    // ---- releases

    /** Records a release being staged; running it again for the same release is harmless. */
    public void putStaged(Release r) {
        try {
            table.putItem(x -> x.item(item(r)).conditionExpression(Expression.builder()
                    .expression("attribute_not_exists(appId) OR #s = :staged")
                    .putExpressionName("#s", "status")
                    .putExpressionValue(":staged", AttributeValue.fromS(ReleaseStatus.STAGED.name())).build()));
        } catch (ConditionalCheckFailedException e) {
            throw new WriteConflict(WriteConflict.Part.RELEASE, "release " + r.id() + " is already " + release(r.appId(), r.id())
                    .map(x -> x.status().name()).orElse("gone"));
        }
    }

    public Optional<Release> release(String appId, String id) {
        return get(appId, DeployItem.RELEASE + id).map(ReleaseStore::toRelease);
    }

    public record ReleasePage(List<Release> items, String next) {
    }

    public ReleasePage releases(String appId, int limit, String cursor) {
        var page = page(appId, DeployItem.RELEASE, limit, cursor);
        return new ReleasePage(page.items().stream().map(ReleaseStore::toRelease).toList(), page.next());
    }

    /** The READY release that was built from exactly these inputs, if any. */
    public Optional<Release> readyReleaseFor(String appId, String buildKey) {
        return get(appId, DeployItem.BUILD + buildKey)
                .flatMap(i -> release(appId, i.getReleaseId()))
                .filter(r -> r.status() == ReleaseStatus.READY);
    }

    /**
     * STAGED → READY, with the build-key pointer and the audit event, in one transaction. Only the
     * first call changes anything; a repeat finds it READY and returns false.
     */
    public boolean markReady(Release ready, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class).item(item(ready))
                .conditionExpression(status(ReleaseStatus.STAGED)).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.RELEASE));
        if (ready.buildKey() != null) {
            tx.addPutItem(table, DeployItem.of(ready.appId(), DeployItem.BUILD + ready.buildKey(), null, null, ready.id(), null));
            parts.add(WriteConflict.Part.ITEM);
        }
        // A READY release no alias ever serves (a failed promotion, a pinned production, an upload never
        // deployed) would otherwise stay forever: the cleanup looks at it after a grace period; an
        // alias on it by then keeps it (and that alias's next move asks again).
        parts.addAll(sweepCandidate(ready.appId(), ready.id(), ready.readyAt().plus(UNSERVED_GRACE), "ready, never served").addTo(tx));
        parts.addAll(ledger.appendTo(tx, event));
        try {
            Transactions.write(client, tx.build(), parts);
            return true;
        } catch (WriteConflict e) {
            if (e.part() == WriteConflict.Part.RELEASE
                    && release(ready.appId(), ready.id()).map(r -> r.status() == ReleaseStatus.READY).orElse(false)) {
                return false;
            }
            throw e;
        }
    }

    /** A release that never became READY is marked FAILED (a READY one, or one the cleanup is removing, is never touched). */
    public void markFailed(Release r) {
        try {
            table.putItem(x -> x.item(item(r.failed())).conditionExpression(Expression.builder()
                    .expression("NOT (#s IN (:ready, :retiring, :deleting, :deleted))").putExpressionName("#s", "status")
                    .putExpressionValue(":ready", AttributeValue.fromS(ReleaseStatus.READY.name()))
                    .putExpressionValue(":retiring", AttributeValue.fromS(ReleaseStatus.RETIRING.name()))
                    .putExpressionValue(":deleting", AttributeValue.fromS(ReleaseStatus.DELETING.name()))
                    .putExpressionValue(":deleted", AttributeValue.fromS(ReleaseStatus.DELETED.name())).build()));
        } catch (ConditionalCheckFailedException e) {
            // READY already, or being removed: leave it.
        }
    }

    // ---- aliases

    public Optional<Alias> alias(String appId, String name) {
        return get(appId, DeployItem.ALIAS + name).map(i -> Json.MAPPER.convertValue(Json.parse(i.getDoc()), Alias.class));
    }

    /**
     * Points the alias at {@code next.releaseId()} if it is still at {@code expectedVersion} (0: the
     * alias does not exist yet) and the release is READY, with the audit event and {@code extra}, in
     * one transaction. A lost race is a {@link WriteConflict} naming {@code ALIAS} or {@code RELEASE}.
     */
    public void moveAlias(Alias next, long expectedVersion, AuditEvent event, TransactionPart extra) {
        moveAlias(next, expectedVersion, List.of(event), extra);
    }

    /**
     * As above, with more audit events after the alias's own (consecutive links of the chain, one
     * head move): a deployment's promotion records both the move and the deployment's success.
     */
    public void moveAlias(Alias next, long expectedVersion, List<AuditEvent> events, TransactionPart extra) {
        AuditEvent event = events.get(0);
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                .item(DeployItem.of(next.appId(), DeployItem.ALIAS + next.name(), null, next.version(), next.releaseId(),
                        Json.write(next)))
                .conditionExpression(expectedVersion == 0 ? notExists() : version(expectedVersion)).build());
        tx.addConditionCheck(table, ConditionCheck.builder()
                .key(key(next.appId(), DeployItem.RELEASE + next.releaseId()))
                .conditionExpression(status(ReleaseStatus.READY)).build());
        // The alias's history: one item per version, so "where was it before" is one read, never a scan.
        AliasMove move = new AliasMove(next.version(), next.releaseId(), next.previousReleaseId(), next.pinned(), event.action(),
                event.actor(), event.after() != null && event.after().hasNonNull("reason") ? event.after().get("reason").asText() : null,
                next.deploymentId(), event.seq(), next.updatedAt());
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                .item(DeployItem.of(next.appId(), historyKey(next.name(), next.version()), null, next.version(), next.releaseId(),
                        Json.write(move)))
                .conditionExpression(notExists()).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ALIAS, WriteConflict.Part.RELEASE,
                WriteConflict.Part.ALIAS));
        if (next.previousReleaseId() != null && !next.previousReleaseId().equals(next.releaseId()) && expectedVersion > 0) {
            // The release left behind may have lost its last reference: the cleanup looks at it.
            parts.addAll(leaves(next.appId(), next.name(), next.previousReleaseId(), next.updatedAt(), "left by " + next.name()).addTo(tx));
        }
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                .item(DeployItem.of(next.appId(), refKey(next.releaseId(), next.name()), null, null, next.releaseId(), null)).build());
        parts.add(WriteConflict.Part.ITEM);
        parts.addAll(ledger.appendTo(tx, events));
        parts.addAll(extra.addTo(tx));
        Transactions.write(client, tx.build(), parts);
    }

    /**
     * One version of an alias, written in the same transaction as the move (and its audit event,
     * {@code auditSeq}): which release, which it replaced, whether pinned, by which action and actor.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record AliasMove(long version, String releaseId, String previousReleaseId, boolean pinned, String action,
                            String actor, String reason, String deploymentId, long auditSeq, java.time.Instant at) {
    }

    /** The alias's versions, newest first, up to {@code limit}. */
    public List<AliasMove> aliasHistory(String appId, String name, int limit) {
        List<AliasMove> out = new ArrayList<>();
        for (Page<DeployItem> page : table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(key(appId, DeployItem.ALIAS_HISTORY + name + "#")))
                .scanIndexForward(false).consistentRead(true).limit(Math.min(limit, 1000)).build())) {
            for (DeployItem i : page.items()) {
                out.add(Json.MAPPER.convertValue(Json.parse(i.getDoc()), AliasMove.class));
                if (out.size() >= limit) {
                    return out;
                }
            }
        }
        return out;
    }

    /**
     * Alias {@code aliasName} no longer points at {@code releaseId}: its reference goes and the release
     * becomes a cleanup candidate ({@link #sweepCandidate}), in the caller's transaction.
     */
    public TransactionPart leaves(String appId, String aliasName, String releaseId, java.time.Instant at, String reason) {
        return tx -> {
            tx.addDeleteItem(table, software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest.builder()
                    .key(key(appId, refKey(releaseId, aliasName))).build());
            List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ITEM));
            parts.addAll(sweepCandidate(appId, releaseId, at, reason).addTo(tx));
            return parts;
        };
    }

    /**
     * Asks the cleanup to look at a release from {@code dueAt} on: {@code sweep#<releaseId>} in the
     * due index. Idempotent (a later ask replaces an earlier one); the cleanup decides, never this.
     */
    public TransactionPart sweepCandidate(String appId, String releaseId, java.time.Instant dueAt, String reason) {
        return tx -> {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class).item(sweepItem(appId, releaseId, dueAt, reason)).build());
            return List.of(WriteConflict.Part.ITEM);
        };
    }

    /** {@link #sweepCandidate} on its own (not part of another change). */
    public void putSweepCandidate(String appId, String releaseId, java.time.Instant dueAt, String reason) {
        table.putItem(sweepItem(appId, releaseId, dueAt, reason));
    }

    static DeployItem sweepItem(String appId, String releaseId, java.time.Instant dueAt, String reason) {
        DeployItem i = DeployItem.of(appId, DeployItem.SWEEP + releaseId, null, null, releaseId,
                Json.write(Json.object().put("reason", reason).put("since", dueAt.toString())));
        i.setDueKind(DeployItem.DUE_SWEEP);
        i.setDueAt(dueAt.toEpochMilli());
        return i;
    }

    /** Whether any alias (production or a preview) points at the release now: one query of its ref items. */
    public boolean referencedByAlias(String appId, String releaseId) {
        return table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(key(appId, DeployItem.REF + releaseId + "#")))
                .consistentRead(true).limit(1).build()).iterator().next().items().size() > 0;
    }

    // ---- previews (see deploy.preview.Previews)

    public Optional<dev.slipway.shared.deploy.preview.Preview> preview(String appId, String name) {
        return get(appId, DeployItem.PREVIEW + name).map(i -> Json.MAPPER.convertValue(Json.parse(i.getDoc()),
                dev.slipway.shared.deploy.preview.Preview.class));
    }

    /**
     * Writes the preview if it is still at {@code expectedVersion} (0: new), with its audit event, in
     * one transaction; its expiry goes into the due index so the cleanup finds it without a scan.
     */
    public void putPreview(dev.slipway.shared.deploy.preview.Preview next, long expectedVersion, AuditEvent event) {
        DeployItem item = DeployItem.of(next.appId(), DeployItem.PREVIEW + next.name(), null, next.version(), null, Json.write(next));
        item.setDueKind(DeployItem.DUE_PREVIEW);
        item.setDueAt(next.expiresAt().toEpochMilli());
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class).item(item)
                .conditionExpression(expectedVersion == 0 ? notExists() : version(expectedVersion)).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ITEM));
        parts.addAll(ledger.appendTo(tx, List.of(event)));
        Transactions.write(client, tx.build(), parts);
    }

    /**
     * Removes the preview (still at its version) and its alias (still at its version, when it has one)
     * with the audit event; the release it served loses its reference and becomes a cleanup candidate.
     */
    public void removePreview(dev.slipway.shared.deploy.preview.Preview p, Optional<Alias> alias, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addDeleteItem(table, software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest.builder()
                .key(key(p.appId(), DeployItem.PREVIEW + p.name())).conditionExpression(version(p.version())).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.ITEM));
        if (alias.isPresent()) {
            tx.addDeleteItem(table, software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest.builder()
                    .key(key(p.appId(), DeployItem.ALIAS + alias.get().name())).conditionExpression(version(alias.get().version())).build());
            parts.add(WriteConflict.Part.ALIAS);
            parts.addAll(leaves(p.appId(), alias.get().name(), alias.get().releaseId(), event.time(), "preview " + p.name() + " removed").addTo(tx));
        }
        parts.addAll(ledger.appendTo(tx, List.of(event)));
        Transactions.write(client, tx.build(), parts);
    }

    /** A condition for another transaction: the preview still exists (a late deployment must not revive a removed one). */
    public TransactionPart previewExists(String appId, String name) {
        return tx -> {
            tx.addConditionCheck(table, ConditionCheck.builder().key(key(appId, DeployItem.PREVIEW + name))
                    .conditionExpression(Expression.builder().expression("attribute_exists(#k)")
                            .putExpressionName("#k", "key").build()).build());
            return List.of(WriteConflict.Part.ITEM);
        };
    }

    public record PreviewPage(List<dev.slipway.shared.deploy.preview.Preview> items, String next) {
    }

    /** The app's previews by name, {@code limit} per page; the cursor is the last name seen. */
    public PreviewPage previews(String appId, int limit, String afterName) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(key(appId, DeployItem.PREVIEW)))
                .limit(limit).consistentRead(true);
        if (afterName != null) {
            q.exclusiveStartKey(Map.of("appId", AttributeValue.fromS(appId), "key", AttributeValue.fromS(DeployItem.PREVIEW + afterName)));
        }
        Page<DeployItem> page = table.query(q.build()).iterator().next();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new PreviewPage(page.items().stream().map(i -> Json.MAPPER.convertValue(Json.parse(i.getDoc()),
                dev.slipway.shared.deploy.preview.Preview.class)).toList(),
                last == null || last.isEmpty() ? null : last.get("key").s().substring(DeployItem.PREVIEW.length()));
    }

    /** A preview the due index says is due: app and name. */
    public record DuePreview(String appId, String name) {
    }

    /** Previews whose expiry is at or before {@code now}, oldest first, up to {@code limit}: one index query, never a scan. */
    public List<DuePreview> duePreviews(java.time.Instant now, int limit) {
        List<DuePreview> out = new ArrayList<>();
        var index = table.index(DeployItem.DUE_INDEX);
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

    /** The alias's latest version ever written (its history survives the alias), or 0. */
    public long lastAliasVersion(String appId, String name) {
        List<AliasMove> last = aliasHistory(appId, name, 1);
        return last.isEmpty() ? 0 : last.get(0).version();
    }

    static String refKey(String releaseId, String aliasName) {
        return DeployItem.REF + releaseId + "#" + aliasName;
    }

    private static String historyKey(String name, long version) {
        return DeployItem.ALIAS_HISTORY + name + "#" + String.format("%019d", version);
    }

    /** Adds "this deployment is now {@code finished}" to another transaction (e.g. an alias move). */
    public TransactionPart deploymentFinish(Deployment finished, long expectedVersion) {
        return tx -> {
            tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class)
                    .item(item(finished)).conditionExpression(version(expectedVersion)).build());
            return List.of(WriteConflict.Part.ITEM);
        };
    }

    // ---- content index (direct uploads)

    /** Which of these sha256s the app already stores, and under which S3 key. */
    public Map<String, String> knownContent(String appId, Collection<String> sha256s) {
        Map<String, String> found = new HashMap<>();
        List<String> all = new ArrayList<>(sha256s);
        for (int from = 0; from < all.size(); from += 100) {
            var batch = ReadBatch.builder(DeployItem.class).mappedTableResource(table);
            for (String sha : all.subList(from, Math.min(all.size(), from + 100))) {
                batch.addGetItem(key(appId, DeployItem.CONTENT + sha));
            }
            // The enhanced client's pages re-request unprocessed keys itself.
            client.batchGetItem(BatchGetItemEnhancedRequest.builder().readBatches(batch.build()).build())
                    .resultsForTable(table)
                    .forEach(i -> found.put(i.getKey().substring(DeployItem.CONTENT.length()), i.getDoc()));
        }
        return found;
    }

    /** The app's aliases of these names that exist, by name: one batch read per 100 (a page of previews, not one read each). */
    public Map<String, Alias> aliases(String appId, Collection<String> names) {
        Map<String, Alias> found = new HashMap<>();
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(names));
        for (int from = 0; from < all.size(); from += 100) {
            var batch = ReadBatch.builder(DeployItem.class).mappedTableResource(table);
            for (String name : all.subList(from, Math.min(all.size(), from + 100))) {
                batch.addGetItem(r -> r.key(key(appId, DeployItem.ALIAS + name)).consistentRead(true));
            }
            client.batchGetItem(BatchGetItemEnhancedRequest.builder().readBatches(batch.build()).build())
                    .resultsForTable(table)
                    .forEach(i -> {
                        Alias a = Json.MAPPER.convertValue(Json.parse(i.getDoc()), Alias.class);
                        found.put(a.name(), a);
                    });
        }
        return found;
    }

    /** Remembers where content is stored (idempotent). */
    public void recordContent(String appId, Map<String, String> shaToKey) {
        List<Map.Entry<String, String>> all = new ArrayList<>(shaToKey.entrySet());
        for (int from = 0; from < all.size(); from += 25) {
            var batch = WriteBatch.builder(DeployItem.class).mappedTableResource(table);
            for (var e : all.subList(from, Math.min(all.size(), from + 25))) {
                batch.addPutItem(DeployItem.of(appId, DeployItem.CONTENT + e.getKey(), null, null, null, e.getValue()));
            }
            var result = client.batchWriteItem(BatchWriteItemEnhancedRequest.builder().writeBatches(batch.build()).build());
            // What DynamoDB left unprocessed (throttling) goes in one by one; the SDK retries each put.
            result.unprocessedPutItemsForTable(table).forEach(table::putItem);
        }
    }

    // ---- cleanup (dev.slipway.shared.deploy.cleanup.ReleaseSweeper): sweep candidates and the removal of a release

    /** A {@code sweep#<releaseId>} item as the due index names it (KEYS_ONLY: read the item for the rest). */
    public record DueSweep(String appId, String releaseId, long dueAt) {
    }

    public record DuePage(List<DueSweep> items, Map<String, AttributeValue> next) {
    }

    /** One page of sweep candidates due by {@code now}, oldest first; {@code start} is the previous page's {@code next}. */
    public DuePage dueSweeps(java.time.Instant now, int limit, Map<String, AttributeValue> start) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortLessThanOrEqualTo(Key.builder()
                        .partitionValue(DeployItem.DUE_SWEEP).sortValue(now.toEpochMilli()).build()))
                .limit(limit);
        if (start != null) {
            q.exclusiveStartKey(start);
        }
        Page<DeployItem> page = table.index(DeployItem.DUE_INDEX).query(q.build()).iterator().next();
        List<DueSweep> out = new ArrayList<>();
        for (DeployItem i : page.items()) {
            if (i.getKey() != null && i.getKey().startsWith(DeployItem.SWEEP)) {
                out.add(new DueSweep(i.getAppId(), i.getKey().substring(DeployItem.SWEEP.length()), i.getDueAt()));
            }
        }
        Map<String, AttributeValue> next = page.lastEvaluatedKey();
        return new DuePage(out, next == null || next.isEmpty() ? null : next);
    }

    /** The candidate as stored now (the index is eventually consistent): its due time and why it was asked for. */
    public record SweepItem(String appId, String releaseId, long dueAt, String reason) {
    }

    public Optional<SweepItem> findSweep(String appId, String releaseId) {
        return get(appId, DeployItem.SWEEP + releaseId).map(i -> new SweepItem(appId, releaseId,
                i.getDueAt() == null ? 0 : i.getDueAt(), i.getDoc() == null ? null : Json.parse(i.getDoc()).path("reason").asText(null)));
    }

    /** Moves the candidate to {@code dueAt} unless someone re-asked since it was read ({@code seenDueAt}). */
    public boolean rescheduleSweep(SweepItem seen, java.time.Instant dueAt, String reason) {
        try {
            table.putItem(x -> x.item(sweepItem(seen.appId(), seen.releaseId(), dueAt, reason)).conditionExpression(dueAtIs(seen.dueAt())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Drops the candidate unless someone re-asked since it was read. */
    public boolean dropSweep(SweepItem seen) {
        try {
            table.deleteItem(x -> x.key(key(seen.appId(), DeployItem.SWEEP + seen.releaseId())).conditionExpression(dueAtIs(seen.dueAt())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** {@code from → r.status()} by compare-and-set on the status; false if the release is no longer {@code from}. */
    public boolean changeStatus(Release r, ReleaseStatus from) {
        try {
            table.putItem(x -> x.item(item(r)).conditionExpression(status(from)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** RETIRING → DELETING with the one {@code release.removed} audit event, in one transaction. */
    public void startRemoval(Release deleting, AuditEvent event) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class).item(item(deleting))
                .conditionExpression(status(ReleaseStatus.RETIRING)).build());
        List<WriteConflict.Part> parts = new ArrayList<>(List.of(WriteConflict.Part.RELEASE));
        parts.addAll(ledger.appendTo(tx, event));
        Transactions.write(client, tx.build(), parts);
    }

    /** DELETING → DELETED (the item stays as a tombstone) and the candidate goes, in one transaction. */
    public void finishRemoval(Release deleted) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(DeployItem.class).item(item(deleted))
                .conditionExpression(status(ReleaseStatus.DELETING)).build());
        tx.addDeleteItem(table, software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest.builder()
                .key(key(deleted.appId(), DeployItem.SWEEP + deleted.id())).build());
        Transactions.write(client, tx.build(), List.of(WriteConflict.Part.RELEASE, WriteConflict.Part.ITEM));
    }

    /** Forgets where content is stored if the entry is still {@code doc} (a re-pointed entry stays). */
    public boolean forgetContent(String appId, String sha256, String doc) {
        try {
            table.deleteItem(x -> x.key(key(appId, DeployItem.CONTENT + sha256)).conditionExpression(Expression.builder()
                    .expression("#d = :d").putExpressionName("#d", "doc").putExpressionValue(":d", AttributeValue.fromS(doc)).build()));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Removes the build-key pointer if it still names {@code releaseId}. */
    public void forgetBuild(String appId, String buildKey, String releaseId) {
        try {
            table.deleteItem(x -> x.key(key(appId, DeployItem.BUILD + buildKey)).conditionExpression(Expression.builder()
                    .expression("releaseId = :r").putExpressionValue(":r", AttributeValue.fromS(releaseId)).build()));
        } catch (ConditionalCheckFailedException e) {
            // Gone already, or another release of the same inputs: leave it.
        }
    }

    /**
     * The app's deployments created since {@code since} (ids are ULIDs: a key range, never all of them),
     * newest first.
     */
    public List<Deployment> deploymentsSince(String appId, java.time.Instant since) {
        String from = DeployItem.DEPLOYMENT + Ulid.next(since).substring(0, 10).toLowerCase(java.util.Locale.ROOT);
        List<Deployment> out = new ArrayList<>();
        for (Page<DeployItem> page : table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBetween(key(appId, from), key(appId, DeployItem.DEPLOYMENT + "~")))
                .scanIndexForward(false).consistentRead(true).build())) {
            page.items().forEach(i -> out.add(Json.MAPPER.convertValue(Json.parse(i.getDoc()), Deployment.class)));
        }
        return out;
    }

    // ---- plumbing

    private Optional<DeployItem> get(String appId, String sortKey) {
        return Optional.ofNullable(table.getItem(r -> r.key(key(appId, sortKey)).consistentRead(true)));
    }

    private record ItemPage(List<DeployItem> items, String next) {
    }

    private ItemPage page(String appId, String prefix, int limit, String cursor) {
        QueryEnhancedRequest.Builder q = QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(key(appId, prefix)))
                .scanIndexForward(false).limit(limit).consistentRead(true);
        if (cursor != null) {
            String id = Paging.decodeCursor(cursor);
            if (!Ulid.isValid(id.toUpperCase())) {
                throw Paging.invalidCursor();
            }
            q.exclusiveStartKey(Map.of("appId", AttributeValue.fromS(appId), "key", AttributeValue.fromS(prefix + id)));
        }
        Page<DeployItem> page = table.query(q.build()).iterator().next();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        String next = last == null || last.isEmpty() ? null
                : Paging.encodeCursor(last.get("key").s().substring(prefix.length()));
        return new ItemPage(page.items(), next);
    }

    private static Key key(String appId, String sortKey) {
        return Key.builder().partitionValue(appId).sortValue(sortKey).build();
    }

    private static DeployItem item(Deployment d) {
        return DeployItem.of(d.appId(), DeployItem.DEPLOYMENT + d.id(), d.status().name(), d.version(), d.releaseId(), Json.write(d));
    }

    private static DeployItem item(Release r) {
        return DeployItem.of(r.appId(), DeployItem.RELEASE + r.id(), r.status().name(), null, r.id(), Json.write(r));
    }

    private static Release toRelease(DeployItem i) {
        return Json.MAPPER.convertValue(Json.parse(i.getDoc()), Release.class);
    }

    private static Expression notExists() {
        return Expression.builder().expression("attribute_not_exists(appId)").build();
    }

    private static Expression version(long expected) {
        return Expression.builder().expression("version = :v")
                .putExpressionValue(":v", AttributeValue.fromN(Long.toString(expected))).build();
    }

    private static Expression dueAtIs(long dueAt) {
        return Expression.builder().expression("dueAt = :due")
                .putExpressionValue(":due", AttributeValue.fromN(Long.toString(dueAt))).build();
    }

    private static Expression status(ReleaseStatus s) {
        return Expression.builder().expression("#s = :s").putExpressionName("#s", "status")
                .putExpressionValue(":s", AttributeValue.fromS(s.name())).build();
    }
}
