package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.store.memory.InMemoryDeployStores;

import java.util.List;

/** The stores' conditions on the in-memory set. */
class InMemoryDeployStoresTest extends DeployStoresContract {
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
