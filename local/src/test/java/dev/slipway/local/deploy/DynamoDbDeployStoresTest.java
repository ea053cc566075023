package dev.slipway.local.deploy;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.DeployStoresContract;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/** The stores' conditions on the DynamoDB set (DynamoDB Local, tables from template.yaml), as on the in-memory one. */
class DynamoDbDeployStoresTest extends DeployStoresContract {
    private static AuditLedger ledger;
    private static DeployStores dynamo;

    @BeforeAll
    static void start() throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        ledger = engines.auditLedger();
        dynamo = engines.deployStores(ledger);
    }

    @Override
    protected DeployStores stores() {
        return dynamo;
    }

    @Override
    protected List<AuditEvent> events(String appId) {
        return ledger.events(appId, 1, 10_000);
    }
}
