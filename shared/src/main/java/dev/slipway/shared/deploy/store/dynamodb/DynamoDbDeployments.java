package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** {@link DeploymentStore} on the ReleasesTable: {@code deployment#<id>} items. */
final class DynamoDbDeployments implements DeploymentStore {
    private final DeployTable t;

    DynamoDbDeployments(DeployTable table) {
        this.t = table;
    }

    @Override
    public void create(Deployment d, AuditEvent event) {
        t.tx().put(DeployTable.item(d), DeployTable.notExists(), WriteConflict.Part.ITEM).audit(List.of(event)).write();
    }

    @Override
    public Optional<Deployment> get(String appId, String id) {
        return t.get(appId, DeployItem.DEPLOYMENT + id).map(i -> DeployTable.doc(i, Deployment.class));
    }

    @Override
    public DeploymentPage page(String appId, int limit, String cursor) {
        var page = t.page(appId, DeployItem.DEPLOYMENT, limit, cursor);
        return new DeploymentPage(page.items().stream().map(i -> DeployTable.doc(i, Deployment.class)).toList(), page.next());
    }

    @Override
    public Deployment update(String appId, String id, UnaryOperator<Deployment> change) {
        for (int attempt = 0; ; attempt++) {
            Deployment current = get(appId, id)
                    .orElseThrow(() -> new IllegalStateException("deployment " + id + " of " + appId + " does not exist"));
            Deployment next = change.apply(current);
            if (next == current) {
                return current;
            }
            try {
                t.table.putItem(r -> r.item(DeployTable.item(next)).conditionExpression(DeployTable.version(current.version())));
                return next;
            } catch (ConditionalCheckFailedException e) {
                if (attempt >= 20) {
                    throw new WriteConflict(WriteConflict.Part.ITEM, "deployment " + id + " keeps changing");
                }
            }
        }
    }

    @Override
    public void finish(Deployment finished, long expectedVersion, AuditEvent event) {
        t.tx().put(DeployTable.item(finished), DeployTable.version(expectedVersion), WriteConflict.Part.ITEM).audit(List.of(event)).write();
    }

    @Override
    public List<Deployment> since(String appId, Instant since) {
        String from = DeployItem.DEPLOYMENT + Ulid.next(since).substring(0, 10).toLowerCase(Locale.ROOT);
        List<Deployment> out = new ArrayList<>();
        for (Page<DeployItem> page : t.table.query(QueryEnhancedRequest.builder()
                .queryConditional(QueryConditional.sortBetween(DeployTable.key(appId, from), DeployTable.key(appId, DeployItem.DEPLOYMENT + "~")))
                .scanIndexForward(false).consistentRead(true).build())) {
            page.items().forEach(i -> out.add(DeployTable.doc(i, Deployment.class)));
        }
        return out;
    }
}
