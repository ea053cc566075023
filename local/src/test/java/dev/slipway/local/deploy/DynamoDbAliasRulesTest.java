package dev.slipway.local.deploy;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.alias.AliasRulesContract;
import dev.slipway.shared.deploy.store.DeployStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same alias rules as {@code InMemoryAliasRulesTest}, on the DynamoDB stores against DynamoDB
 * Local with the tables of template.yaml: the in-memory set and the real one must agree.
 */
class DynamoDbAliasRulesTest extends AliasRulesContract {
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

    @AfterEach
    void theChainVerifies() {
        assertTrue(ledger.verify(app).valid(), "the ledger's own verification of " + app);
    }
}
