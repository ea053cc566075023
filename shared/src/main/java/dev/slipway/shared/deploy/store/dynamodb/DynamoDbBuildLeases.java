package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.Optional;

/** {@link BuildLeases} on the ReleasesTable: {@code lease#<buildKey>} items with {@code holder} and {@code heldUntil}. */
final class DynamoDbBuildLeases implements BuildLeases {
    private final DeployTable t;

    DynamoDbBuildLeases(DeployTable table) {
        this.t = table;
    }

    @Override
    public Lease claim(String appId, String buildKey, String deploymentId, Instant now, Instant heldUntil) {
        DeployItem item = DeployItem.of(appId, DeployItem.LEASE + buildKey, null, null, null, null);
        item.setHolder(deploymentId);
        item.setHeldUntil(heldUntil.toEpochMilli());
        Expression freeOrOurs = Expression.builder()
                .expression("attribute_not_exists(appId) OR heldUntil < :now OR holder = :me")
                .putExpressionValue(":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())))
                .putExpressionValue(":me", AttributeValue.fromS(deploymentId)).build();
        // A lost claim reads the holder; if the lease ended in between, the claim is tried again.
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                t.table.putItem(x -> x.item(item).conditionExpression(freeOrOurs));
                return new Lease(appId, buildKey, deploymentId, Instant.ofEpochMilli(item.getHeldUntil()));
            } catch (ConditionalCheckFailedException e) {
                Optional<Lease> held = find(appId, buildKey);
                if (held.isPresent()) {
                    return held.get();
                }
            }
        }
        // A conflict, not a failure: the step is retried (DeploySteps classifies it as transient).
        throw new WriteConflict(WriteConflict.Part.ITEM, "the build lease of " + buildKey + " kept changing hands");
    }

    @Override
    public Optional<Lease> find(String appId, String buildKey) {
        return t.get(appId, DeployItem.LEASE + buildKey).map(DynamoDbBuildLeases::lease);
    }

    @Override
    public boolean release(String appId, String buildKey, String deploymentId) {
        try {
            t.table.deleteItem(x -> x.key(DeployTable.key(appId, DeployItem.LEASE + buildKey)).conditionExpression(heldBy(deploymentId)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false; // gone already, or another deployment's now
        }
    }

    @Override
    public int releaseHeldBy(String appId, String deploymentId) {
        // An app holds few leases at a time (one per build running now), so one query reads them all.
        int released = 0;
        for (DeployItem i : t.table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBeginsWith(DeployTable.key(appId, DeployItem.LEASE)))
                .consistentRead(true).build()).items()) {
            if (deploymentId.equals(i.getHolder())
                    && release(appId, i.getKey().substring(DeployItem.LEASE.length()), deploymentId)) {
                released++;
            }
        }
        return released;
    }

    private static Expression heldBy(String deploymentId) {
        return Expression.builder().expression("holder = :me").putExpressionValue(":me", AttributeValue.fromS(deploymentId)).build();
    }

    private static Lease lease(DeployItem i) {
        return new Lease(i.getAppId(), i.getKey().substring(DeployItem.LEASE.length()), i.getHolder(),
                Instant.ofEpochMilli(i.getHeldUntil() == null ? 0 : i.getHeldUntil()));
    }
}
