package dev.slipway.functions.deploy;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.preview.ExpiredPreviews;
import dev.slipway.shared.deploy.preview.PreviewExpiry;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;

/** The clients and stores both deploy handlers build once per container. */
final class DeployComponents {
    final Config config;
    final AwsClients aws;
    final AppService apps;
    final DeployStores stores;
    final ReleaseFiles files;
    final CommitSource sources;
    final SiteUrls urls;
    final Clock clock = Clock.systemUTC();

    DeployComponents(Config config) {
        this.config = config;
        this.aws = new AwsClients(config);
        AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
        this.apps = new AppService(new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger), clock);
        this.stores = DynamoDbDeployStores.of(aws.dynamoDbEnhanced(), config.require(EnvNames.RELEASES_TABLE), ledger);
        S3Client s3 = S3Clients.client(aws);
        String bucket = config.require(EnvNames.ARTIFACTS_BUCKET);
        this.files = new ReleaseFiles(s3, bucket);
        this.sources = new CommitSource(new GitStore(s3, bucket, new GitTable(aws.dynamoDbEnhanced(), config.require(EnvNames.GIT_TABLE))));
        this.urls = new SiteUrls(config.get(EnvNames.SITE_URL_PATTERN).orElse(null));
    }

    /** The cleanup's first phase: expired previews leave the table and the edge. */
    PreviewExpiry previewExpiry() {
        return new ExpiredPreviews(stores, Router.from(config), clock);
    }
}
