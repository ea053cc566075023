package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.List;
import java.util.Optional;

/** {@link ReleaseStore} on the ReleasesTable: {@code release#<id>} and {@code build#<key>} items. */
final class DynamoDbReleases implements ReleaseStore {
    private final DeployTable t;

    DynamoDbReleases(DeployTable table) {
        this.t = table;
    }

    @Override
    public void putStaged(Release r) {
        try {
            t.table.putItem(x -> x.item(DeployTable.item(r)).conditionExpression(Expression.builder()
                    .expression("attribute_not_exists(appId) OR #s = :staged")
                    .putExpressionName("#s", "status")
                    .putExpressionValue(":staged", AttributeValue.fromS(ReleaseStatus.STAGED.name())).build()));
        } catch (ConditionalCheckFailedException e) {
            throw new WriteConflict(WriteConflict.Part.RELEASE, "release " + r.id() + " is already " + get(r.appId(), r.id())
                    .map(x -> x.status().name()).orElse("gone"));
        }
    }

    @Override
    public Optional<Release> get(String appId, String id) {
        return t.get(appId, DeployItem.RELEASE + id).map(i -> DeployTable.doc(i, Release.class));
    }

    @Override
    public ReleasePage page(String appId, int limit, String cursor) {
        var page = t.page(appId, DeployItem.RELEASE, limit, cursor);
        return new ReleasePage(page.items().stream().map(i -> DeployTable.doc(i, Release.class)).toList(), page.next());
    }

    @Override
    public Optional<Release> readyReleaseFor(String appId, String buildKey) {
        return t.get(appId, DeployItem.BUILD + buildKey)
                .flatMap(i -> get(appId, i.getReleaseId()))
                .filter(r -> r.status() == ReleaseStatus.READY);
    }

    @Override
    public boolean markReady(Release ready, AuditEvent event) {
        DeployTable.Tx tx = t.tx().put(DeployTable.item(ready), DeployTable.status(ReleaseStatus.STAGED), WriteConflict.Part.RELEASE);
        if (ready.buildKey() != null) {
            tx.put(DeployItem.of(ready.appId(), DeployItem.BUILD + ready.buildKey(), null, null, ready.id(), null), null, WriteConflict.Part.ITEM);
        }
        // A READY release no alias ever serves (a failed promotion, a pinned production, an upload never
        // deployed) would otherwise stay forever: the cleanup looks at it after a grace period; an
        // alias on it by then keeps it (and that alias's next move asks again).
        tx.sweepCandidate(ready.appId(), ready.id(), ready.readyAt().plus(UNSERVED_GRACE), "ready, never served");
        tx.audit(List.of(event));
        try {
            tx.write();
            return true;
        } catch (WriteConflict e) {
            if (e.part() == WriteConflict.Part.RELEASE
                    && get(ready.appId(), ready.id()).map(r -> r.status() == ReleaseStatus.READY).orElse(false)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void markFailed(Release r) {
        try {
            t.table.putItem(x -> x.item(DeployTable.item(r.failed())).conditionExpression(Expression.builder()
                    .expression("NOT (#s IN (:ready, :retiring, :deleting, :deleted))").putExpressionName("#s", "status")
                    .putExpressionValue(":ready", AttributeValue.fromS(ReleaseStatus.READY.name()))
                    .putExpressionValue(":retiring", AttributeValue.fromS(ReleaseStatus.RETIRING.name()))
                    .putExpressionValue(":deleting", AttributeValue.fromS(ReleaseStatus.DELETING.name()))
                    .putExpressionValue(":deleted", AttributeValue.fromS(ReleaseStatus.DELETED.name())).build()));
        } catch (ConditionalCheckFailedException e) {
            // READY already, or being removed: leave it.
        }
    }

    @Override
    public boolean changeStatus(Release r, ReleaseStatus from) {
        try {
            t.table.putItem(x -> x.item(DeployTable.item(r)).conditionExpression(DeployTable.status(from)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void startRemoval(Release deleting, AuditEvent event) {
        t.tx().put(DeployTable.item(deleting), DeployTable.status(ReleaseStatus.RETIRING), WriteConflict.Part.RELEASE)
                .audit(List.of(event)).write();
    }

    @Override
    public void finishRemoval(Release deleted) {
        t.tx().put(DeployTable.item(deleted), DeployTable.status(ReleaseStatus.DELETING), WriteConflict.Part.RELEASE)
                .delete(deleted.appId(), DeployItem.SWEEP + deleted.id(), null, WriteConflict.Part.ITEM).write();
    }

    @Override
    public void forgetBuild(String appId, String buildKey, String releaseId) {
        try {
            t.table.deleteItem(x -> x.key(DeployTable.key(appId, DeployItem.BUILD + buildKey)).conditionExpression(Expression.builder()
                    .expression("releaseId = :r").putExpressionValue(":r", AttributeValue.fromS(releaseId)).build()));
        } catch (ConditionalCheckFailedException e) {
            // Gone already, or another release of the same inputs: leave it.
        }
    }
}
