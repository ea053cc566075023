package dev.slipway.local;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.FailedDeployments;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * After a restart (a crash, kill -9, a closed laptop) no local workflow survives: the Step
 * Functions engine keeps executions in memory. Deployments left RUNNING are marked FAILED and what
 * they staged is removed, before the API answers; production was never touched by them.
 */
final class LostDeployments {
    private LostDeployments() {
    }

    /** @param environment the deployments function's environment (tables, bucket, endpoints) */
    static int sweep(Map<String, String> environment) {
        Config config = Config.of(environment);
        try (AwsClients aws = new AwsClients(config)) {
            AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
            AppService apps = new AppService(new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger),
                    Clock.systemUTC());
            DeployStores stores = DynamoDbDeployStores.of(aws.dynamoDbEnhanced(), config.require(EnvNames.RELEASES_TABLE), ledger);
            String bucket = config.require(EnvNames.ARTIFACTS_BUCKET);
            try (S3Client s3 = S3Clients.client(aws); SfnClient sfn = aws.configure(SfnClient.builder(), "SFN").build()) {
                ReleaseFiles files = new ReleaseFiles(s3, bucket);
                DeployService deploys = new DeployService(apps, stores, files,
                        new CommitSource(new GitStore(s3, bucket, new GitTable(aws.dynamoDbEnhanced(), config.require(EnvNames.GIT_TABLE)))),
                        new FailedDeployments(stores, files, Clock.systemUTC()), sfn, config.require(EnvNames.DEPLOY_STATE_MACHINE_ARN), Clock.systemUTC());
                int fixed = 0;
                String cursor = null;
                do {
                    AppStore.AppPage page = apps.list("100", cursor);
                    for (var app : page.apps()) {
                        fixed += deploys.reconcileRunning(app.id(), Duration.ZERO);
                    }
                    cursor = page.nextCursor();
                } while (cursor != null);
                return fixed;
            }
        }
    }
}
