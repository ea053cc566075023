package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditHeads;

/**
 * One consistent set of the deploy stores over one table, and the audit chain their writes append
 * to (like JGit's DfsRepository over its ref and object databases). Build one with
 * {@code deploy.store.dynamodb.DynamoDbDeployStores} (the ReleasesTable and the audit ledger) or
 * {@code deploy.store.memory.InMemoryDeployStores} (plain Java, for tests of the rules).
 */
public record DeployStores(DeploymentStore deployments, ReleaseStore releases, AliasStore aliases, PreviewStore previews,
                           ContentIndex content, SweepQueue sweeps, BuildLeases buildLeases,
                           AuditHeads audit) {
}
