package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.store.DeployStores;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;

/** The deploy stores over one DynamoDB ReleasesTable, their audit events in {@code ledger}'s table. */
public final class DynamoDbDeployStores {
    private DynamoDbDeployStores() {
    }

    public static DeployStores of(DynamoDbEnhancedClient client, String releasesTable, AuditLedger ledger) {
        DeployTable t = new DeployTable(client, releasesTable, ledger);
        return new DeployStores(new DynamoDbDeployments(t), new DynamoDbReleases(t), new DynamoDbAliases(t), new DynamoDbPreviews(t),
                new DynamoDbContentIndex(t), new DynamoDbSweepQueue(t), new DynamoDbBuildLeases(t), ledger);
    }
}
