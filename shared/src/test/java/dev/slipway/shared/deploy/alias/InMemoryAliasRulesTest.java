package dev.slipway.shared.deploy.alias;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.memory.InMemoryDeployStores;

import java.util.List;

/** The alias rules on the in-memory stores: plain Java, no engines, milliseconds. */
class InMemoryAliasRulesTest extends AliasRulesContract {
    private final DeployStores memory = InMemoryDeployStores.create();

    @Override
    protected DeployStores stores() {
        return memory;
    }

    @Override
    protected List<AuditEvent> events(String appId) {
        return InMemoryDeployStores.auditOf(memory).events(appId);
    }
}
