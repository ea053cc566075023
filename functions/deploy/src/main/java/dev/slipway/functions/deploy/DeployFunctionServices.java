package dev.slipway.functions.deploy;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.DeploySteps;
import dev.slipway.shared.deploy.FailedDeployments;
import dev.slipway.shared.deploy.PromoteStep;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.SmokeCheck;
import dev.slipway.shared.deploy.alias.PreviewAlias;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.deploy.cleanup.CleanupService;
import dev.slipway.shared.deploy.cleanup.ReleaseSweeper;
import dev.slipway.shared.deploy.preview.ExpiredPreviews;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.deploy.upload.DirectUploadService;
import dev.slipway.shared.deploy.upload.ReleaseFinalizer;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.idempotency.IdempotencyStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.time.Clock;

/**
 * The deploy jar's composition root: the configuration, AWS clients, stores and services of its
 * six handlers (deployments, previews, production, releases, the deploy steps, cleanup), each
 * built once per handler instance (one per Lambda container) and only when a handler asks for it.
 * Services get the services they use here, never build them themselves. Each handler takes what
 * it needs in its constructor, so a missing variable still fails the container's start rather
 * than a request; a function whose template entry lacks a variable never asks for what needs it.
 */
final class DeployFunctionServices {
    private final Config config;
    private final AwsClients aws;
    private final Clock clock = Clock.systemUTC();
    private AdminAuth adminAuth;
    private IdempotencyStore idempotency;
    private AuditLedger ledger;
    private AppService apps;
    private DeployStores stores;
    private S3Client s3;
    private ReleaseFiles files;
    private CommitSource sources;
    private SiteUrls urls;
    private Router router;
    private AppEnvironment environment;
    private SfnClient sfn;
    private FailedDeployments failures;
    private DeployService deploys;
    private ProductionAlias production;
    private PreviewAlias previewAlias;
    private ExpiredPreviews expiredPreviews;
    private Previews previews;
    private DeploySteps steps;
    private DirectUploadService uploads;
    private CleanupService cleanup;

    DeployFunctionServices(Config config) {
        this.config = config;
        this.aws = new AwsClients(config);
    }

    Config config() {
        return config;
    }

    Clock clock() {
        return clock;
    }

    // ---- clients and stores

    private synchronized AuditLedger ledger() {
        if (ledger == null) {
            ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
        }
        return ledger;
    }

    synchronized AppService apps() {
        if (apps == null) {
            apps = new AppService(new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger()), clock);
        }
        return apps;
    }

    synchronized DeployStores stores() {
        if (stores == null) {
            stores = DynamoDbDeployStores.of(aws.dynamoDbEnhanced(), config.require(EnvNames.RELEASES_TABLE), ledger());
        }
        return stores;
    }

    private synchronized S3Client s3() {
        if (s3 == null) {
            s3 = S3Clients.client(aws);
        }
        return s3;
    }

    private synchronized ReleaseFiles files() {
        if (files == null) {
            files = new ReleaseFiles(s3(), config.require(EnvNames.ARTIFACTS_BUCKET));
        }
        return files;
    }

    private synchronized CommitSource sources() {
        if (sources == null) {
            sources = new CommitSource(new GitStore(s3(), config.require(EnvNames.ARTIFACTS_BUCKET),
                    new GitTable(aws.dynamoDbEnhanced(), config.require(EnvNames.GIT_TABLE))));
        }
        return sources;
    }

    synchronized SiteUrls urls() {
        if (urls == null) {
            urls = new SiteUrls(config.get(EnvNames.SITE_URL_PATTERN).orElse(null));
        }
        return urls;
    }

    /** The edge's routing (CloudFront KeyValueStore in AWS, the local edge's admin API locally). */
    private synchronized Router router() {
        if (router == null) {
            router = Router.from(config);
        }
        return router;
    }

    private synchronized AppEnvironment environment() {
        if (environment == null) {
            environment = AppEnvironment.from(aws);
        }
        return environment;
    }

    private synchronized SfnClient sfn() {
        if (sfn == null) {
            sfn = aws.configure(SfnClient.builder(), "SFN").build();
        }
        return sfn;
    }

    // ---- services

    private synchronized FailedDeployments failures() {
        if (failures == null) {
            failures = new FailedDeployments(stores(), files(), clock);
        }
        return failures;
    }

    synchronized DeployService deploys() {
        if (deploys == null) {
            deploys = new DeployService(apps(), stores(), files(), sources(), failures(), sfn(),
                    config.require(EnvNames.DEPLOY_STATE_MACHINE_ARN), clock);
        }
        return deploys;
    }

    /** Production's moves: rollback, promote, pin, and a deployment's promotion. */
    synchronized ProductionAlias production() {
        if (production == null) {
            production = new ProductionAlias(apps(), stores(), files(), router(), clock);
        }
        return production;
    }

    private synchronized PreviewAlias previewAlias() {
        if (previewAlias == null) {
            previewAlias = new PreviewAlias(stores(), router(), clock);
        }
        return previewAlias;
    }

    /** Removal of previews: a DELETE, and the cleanup's first phase (the expired ones). */
    private synchronized ExpiredPreviews expiredPreviews() {
        if (expiredPreviews == null) {
            expiredPreviews = new ExpiredPreviews(stores(), previewAlias(), clock);
        }
        return expiredPreviews;
    }

    synchronized Previews previews() {
        if (previews == null) {
            previews = new Previews(apps(), stores(), sources(), deploys(), environment(), production(), previewAlias(),
                    expiredPreviews(), clock);
        }
        return previews;
    }

    synchronized DeploySteps steps() {
        if (steps == null) {
            PromoteStep promotion = new PromoteStep(production(), previewAlias(), new SmokeCheck(urls()), stores(), files(), clock);
            steps = new DeploySteps(apps(), stores(), files(), sources(), environment(), promotion, failures(), clock,
                    config.get(EnvNames.APP_ENV_PARAMETER_PREFIX).orElse(null));
        }
        return steps;
    }

    synchronized DirectUploadService uploads() {
        if (uploads == null) {
            uploads = new DirectUploadService(apps(), stores(), files(), new ReleaseFinalizer(stores(), files(), clock),
                    S3Clients.presigner(aws), clock);
        }
        return uploads;
    }

    synchronized CleanupService cleanup() {
        if (cleanup == null) {
            cleanup = new CleanupService(expiredPreviews(), new ReleaseSweeper(apps(), stores(), files(), clock));
        }
        return cleanup;
    }

    // ---- the edge

    /** The admin token check every route of this jar applies. */
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
