package dev.slipway.functions.apps;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditExport;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.idempotency.IdempotencyStore;

import java.time.Clock;

/**
 * The apps jar's composition root: the configuration, AWS clients, stores and services its
 * handlers use, each built once per handler instance (one per Lambda container) and only when a
 * handler asks for it. Each handler takes what it needs in its constructor, so a missing variable
 * still fails the container's start rather than a request; a function whose template entry lacks
 * a table's variable never asks for that table's store.
 */
final class AppsFunctionServices {
    private final Config config;
    private final AwsClients aws;
    private final Clock clock = Clock.systemUTC();
    private AdminAuth adminAuth;
    private IdempotencyStore idempotency;
    private AuditLedger ledger;
    private AppStore appStore;
    private AppService apps;
    private AliasStore aliases;
    private EnvironmentService environment;
    private AuditExport auditExport;

    AppsFunctionServices(Config config) {
        this.config = config;
        this.aws = new AwsClients(config);
    }

    Config config() {
        return config;
    }

    AwsClients aws() {
        return aws;
    }

    synchronized AuditLedger ledger() {
        if (ledger == null) {
            ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
        }
        return ledger;
    }

    synchronized AppStore appStore() {
        if (appStore == null) {
            appStore = new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger());
        }
        return appStore;
    }

    /** Production's alias, which an app's view shows (the deploy stores' table, read only here). */
    synchronized AliasStore aliases() {
        if (aliases == null) {
            aliases = DynamoDbDeployStores.of(aws.dynamoDbEnhanced(), config.require(EnvNames.RELEASES_TABLE), ledger()).aliases();
        }
        return aliases;
    }

    synchronized AppService apps() {
        if (apps == null) {
            apps = new AppService(appStore(), clock);
        }
        return apps;
    }

    synchronized EnvironmentService environment() {
        if (environment == null) {
            environment = new EnvironmentService(apps(), AppEnvironment.from(aws), aws.dynamoDbEnhanced(), ledger(), clock);
        }
        return environment;
    }

    synchronized AuditExport auditExport() {
        if (auditExport == null) {
            auditExport = new AuditExport(ledger(), aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE),
                    S3Clients.client(aws), config.require(EnvNames.ARTIFACTS_BUCKET), clock);
        }
        return auditExport;
    }

    /** The admin token check every route of this jar but GET /health applies. */
    synchronized AdminAuth adminAuth() {
        if (adminAuth == null) {
            adminAuth = new AdminAuth(AdminTokenHashSource.from(config, aws::ssm));
        }
        return adminAuth;
    }

    synchronized IdempotencyStore idempotency() {
        if (idempotency == null) {
            idempotency = DynamoDbIdempotencyStore.from(config, aws);
        }
        return idempotency;
    }
}
