package dev.slipway.functions.apps;

import dev.slipway.shared.audit.AuditExport;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.wiring.FunctionServices;
import dev.slipway.shared.wiring.Once;

/**
 * The apps jar's composition root: the configuration, AWS clients, stores and services its
 * handlers use, each built once per handler instance (one per Lambda container) and only when a
 * handler asks for it. Each handler takes what it needs in its constructor, so a missing variable
 * still fails the container's start rather than a request; a function whose template entry lacks
 * a table's variable never asks for that table's store.
 */
final class AppsFunctionServices extends FunctionServices {
    private final Once<AliasStore> aliases = new Once<>();
    private final Once<EnvironmentService> environment = new Once<>();
    private final Once<AuditExport> auditExport = new Once<>();

    AppsFunctionServices(Config config) {
        super(config);
    }

    /** Production's alias, which an app's view shows (the deploy stores' table, read only here). */
    AliasStore aliases() {
        return aliases.get(() -> DynamoDbDeployStores.of(aws().dynamoDbEnhanced(), config().require(EnvNames.RELEASES_TABLE), ledger()).aliases());
    }

    EnvironmentService environment() {
        return environment.get(() -> new EnvironmentService(apps(), AppEnvironment.from(aws()), aws().dynamoDbEnhanced(), ledger(), clock()));
    }

    AuditExport auditExport() {
        return auditExport.get(() -> new AuditExport(ledger(), aws().dynamoDbEnhanced(), config().require(EnvNames.AUDIT_TABLE),
                s3(), config().require(EnvNames.ARTIFACTS_BUCKET), clock()));
    }
}
