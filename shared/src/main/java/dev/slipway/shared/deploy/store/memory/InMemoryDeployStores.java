package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.deploy.store.DeployStores;

/**
 * The deploy stores in plain Java (like JGit's InMemoryRepository): one table and one audit chain
 * per app behind one lock, honouring the DynamoDB stores' conditions (compare-and-set on versions,
 * not-exists, status conditions, all-or-nothing moves). For tests of the rules without engines.
 */
public final class InMemoryDeployStores {
    private InMemoryDeployStores() {
    }

    public static DeployStores create() {
        MemoryTable t = new MemoryTable();
        return new DeployStores(new InMemoryDeployments(t), new InMemoryReleases(t), new InMemoryAliases(t), new InMemoryPreviews(t),
                new InMemoryContentIndex(t), new InMemorySweepQueue(t), new InMemoryBuildLeases(t), t.audit);
    }

    /** The audit chains of a set {@link #create} made: each app's events, oldest first. */
    public static MemoryAuditChain auditOf(DeployStores stores) {
        return (MemoryAuditChain) stores.audit();
    }
}
