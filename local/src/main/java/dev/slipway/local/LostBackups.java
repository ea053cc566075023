package dev.slipway.local;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.backup.BackupEngine;
import dev.slipway.shared.data.backup.BackupKeys;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.link.DatabaseSecrets;
import dev.slipway.shared.data.postgres.DatabaseAccess;
import dev.slipway.shared.data.postgres.ScratchServers;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The data jobs' part of a restart: backups and restores left RUNNING by the last stop are FAILED now
 * (their workflow died with it), a backup's objects removed, before the API answers. In AWS the
 * schedule does the same for a backup whose lease ran out.
 */
final class LostBackups {
    private LostBackups() {
    }

    /** @param environment the data schedule function's environment */
    static int sweep(Map<String, String> environment) {
        Config config = Config.of(environment);
        Clock clock = Clock.systemUTC();
        try (AwsClients aws = new AwsClients(config); S3Client s3 = S3Clients.client(aws); S3Presigner presigner = S3Clients.presigner(aws)) {
            AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
            AppService apps = new AppService(new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger), clock);
            DataRecords records = new DataRecords(aws.dynamoDbEnhanced(), config.require(EnvNames.DATA_TABLE), ledger);
            DatabaseSecrets secrets = DatabaseSecrets.local(Path.of(config.require(EnvNames.DATABASE_SECRETS_LOCAL_DIR)));
            DatabaseLinks links = new DatabaseLinks(apps, records, secrets, new DatabaseAccess(true), clock);
            String bucket = config.require(EnvNames.ARTIFACTS_BUCKET);
            Backups backups = new Backups(apps, records, links, new BackupEngine(s3, bucket, new BackupKeys(secrets), clock), presigner, bucket,
                    () -> ScratchServers.from(config, aws::ssm), (name, input) -> {
                        throw new IllegalStateException("no workflow starts during the sweep");
                    }, Duration.ZERO, clock);
            return backups.abandonRunning(records.appsWith("link"));
        }
    }
}
