package dev.slipway.functions.deploy;

import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.BuildInputs;
import dev.slipway.shared.deploy.BuildUrlSigner;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.hooks.HookService;
import dev.slipway.shared.github.GitHubSync;
import dev.slipway.shared.github.SourceSecrets;
import dev.slipway.shared.github.SourceStore;
import dev.slipway.shared.github.SyncJob;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.env.SsmAppEnvironment;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.imports.UploadService;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.net.PublicAddress;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import dev.slipway.shared.hooks.HookStore;
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
import dev.slipway.shared.deploy.preview.PreviewTeardown;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.server.hosting.AppServers;
import dev.slipway.shared.deploy.server.hosting.AppServersEnv;
import dev.slipway.shared.deploy.server.hosting.NoAppServers;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.deploy.server.lambda.AppServerNetwork;
import dev.slipway.shared.deploy.server.lambda.AppServerSettings;
import dev.slipway.shared.deploy.server.lambda.LambdaAppServers;
import dev.slipway.shared.deploy.server.lambda.LambdaServerLogs;
import dev.slipway.shared.deploy.server.lambda.ServerRouting;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.iam.IamClient;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.deploy.upload.DirectUploadService;
import dev.slipway.shared.deploy.upload.ReleaseFinalizer;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.gitserver.GitExports;
import dev.slipway.shared.gitserver.Mirrors;
import dev.slipway.shared.gitserver.RetiredPacks;
import dev.slipway.shared.gitserver.MirrorTokens;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.gitserver.GitSettingsStore;
import dev.slipway.shared.gitserver.GitSmartHttp;
import dev.slipway.shared.gitserver.PushDeploys;
import dev.slipway.shared.auth.GitAccess;
import dev.slipway.shared.wiring.FunctionServices;
import dev.slipway.shared.wiring.Once;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sfn.SfnClient;


/**
 * The deploy jar's composition root: the configuration, AWS clients, stores and services of its
 * six handlers (deployments, previews, production, releases, the deploy steps, cleanup), each
 * built once per handler instance (one per Lambda container) and only when a handler asks for it.
 * Services get the services they use here, never build them themselves. Each handler takes what
 * it needs in its constructor, so a missing variable still fails the container's start rather
 * than a request; a function whose template entry lacks a variable never asks for what needs it.
 */
final class DeployFunctionServices extends FunctionServices {
    private final Once<DeployStores> stores = new Once<>();
    private final Once<HookService> hooks = new Once<>();
    private final Once<GitStore> git = new Once<>();
    private final Once<GitSmartHttp> smartHttp = new Once<>();
    private final Once<GitExports> exports = new Once<>();
    private final Once<GitSettingsStore> gitSettings = new Once<>();
    private final Once<Mirrors> mirrors = new Once<>();
    private final Once<GitHubSync> gitHub = new Once<>();
    private final Once<ReleaseFiles> files = new Once<>();
    private final Once<CommitSource> sources = new Once<>();
    private final Once<SiteUrls> urls = new Once<>();
    private final Once<Router> router = new Once<>();
    private final Once<AppEnvironment> environment = new Once<>();
    private final Once<SfnClient> sfn = new Once<>();
    private final Once<Hosting> hosting = new Once<>();
    private final Once<Router> edgeRouter = new Once<>();
    private final Once<LambdaAppServers> lambdaServers = new Once<>();
    private final Once<LambdaClient> lambda = new Once<>();
    private final Once<AppServerSettings> appServerSettings = new Once<>();
    private final Once<S3Presigner> presigner = new Once<>();
    private final Once<FailedDeployments> failures = new Once<>();
    private final Once<DeployService> deploys = new Once<>();
    private final Once<ProductionAlias> production = new Once<>();
    private final Once<PreviewAlias> previewAlias = new Once<>();
    private final Once<ExpiredPreviews> expiredPreviews = new Once<>();
    private final Once<Previews> previews = new Once<>();
    private final Once<DeploySteps> steps = new Once<>();
    private final Once<DirectUploadService> uploads = new Once<>();
    private final Once<CleanupService> cleanup = new Once<>();

    DeployFunctionServices(Config config) {
        super(config);
    }

    // ---- clients and stores

    DeployStores stores() {
        return stores.get(() -> DynamoDbDeployStores.of(aws().dynamoDbEnhanced(), config().require(EnvNames.RELEASES_TABLE), ledger()));
    }

    private ReleaseFiles files() {
        return files.get(() -> new ReleaseFiles(s3(), config().require(EnvNames.ARTIFACTS_BUCKET)));
    }

    private GitStore git() {
        return git.get(() -> new GitStore(s3(), config().require(EnvNames.ARTIFACTS_BUCKET),
                new GitTable(aws().dynamoDbEnhanced(), config().require(EnvNames.GIT_TABLE))));
    }

    private CommitSource sources() {
        return sources.get(() -> new CommitSource(git()));
    }

    // ---- git over HTTPS (GitHandler): the protocol, exports, settings, and what a push deploys

    GitSmartHttp smartHttp() {
        return smartHttp.get(() -> new GitSmartHttp(git(), ledger(), aws().dynamoDbEnhanced(), ImportLimits.DEFAULT, clock()));
    }

    GitExports exports() {
        return exports.get(() -> new GitExports(git(), s3(), presigner(), config().require(EnvNames.ARTIFACTS_BUCKET),
                Path.of(System.getProperty("java.io.tmpdir")), GitSmartHttp.MAX_RESPONSE_BYTES));
    }

    GitSettingsStore gitSettings() {
        return gitSettings.get(() -> new GitSettingsStore(aws().dynamoDbEnhanced(), config().require(EnvNames.GIT_TABLE), ledger(), clock()));
    }

    /** Built on the first push that deploys: a push that does not never builds the deploy services. */
    PushDeploys pushDeploys() {
        return new PushDeploys(deploys(), previews());
    }

    /** Mirror tokens: encrypted as the app environment is, under a path of their own that builds never read. */
    Mirrors mirrors() {
        return mirrors.get(() -> {
            MirrorTokens secrets = config().get(EnvNames.APP_ENV_LOCAL_DIR)
                    .map(dir -> MirrorTokens.local(Path.of(dir).resolveSibling("mirror-secrets")))
                    .orElseGet(() -> MirrorTokens.ssm(aws().ssm(), config().require(EnvNames.MIRROR_SECRET_PARAMETER_PREFIX)));
            // Locally a mirror may be a git server on the laptop; in AWS the import's rule holds (https, public hosts).
            GitUrlImport urlRule = config().isLocal() ? null : GitUrlImport.standard(ImportLimits.DEFAULT);
            return new Mirrors(git(), aws().dynamoDbEnhanced(), config().require(EnvNames.GIT_TABLE), ledger(), secrets, urlRule, clock());
        });
    }

    /** The grace period: an hour, unless GIT_PACK_GRACE_SECONDS says otherwise (tests). */
    RetiredPacks retiredPacks() {
        return new RetiredPacks(git(), ledger(), aws().dynamoDbEnhanced(), clock(),
                config().get("GIT_PACK_GRACE_SECONDS").map(s -> java.time.Duration.ofSeconds(Long.parseLong(s))).orElse(RetiredPacks.GRACE));
    }

    GitAccess gitAccess() {
        return new GitAccess(authenticator());
    }

    SiteUrls urls() {
        return urls.get(() -> new SiteUrls(config().get(EnvNames.SITE_URL_PATTERN).orElse(null)));
    }

    /** The edge's routing (CloudFront KeyValueStore in AWS, the local edge's admin API locally). */
    /** The edge's router; with servers in Lambda it also writes each full-stack release's server route. */
    private Router router() {
        return router.get(() -> AppServersEnv.LAMBDA.equals(AppServersEnv.kind(config()))
                ? new ServerRouting(edgeRouter(), lambdaServers(), stores().releases())
                : edgeRouter());
    }

    private Router edgeRouter() {
        return edgeRouter.get(() -> Router.from(config()));
    }

    private LambdaAppServers lambdaServers() {
        return lambdaServers.get(() -> new LambdaAppServers(lambda(),
                aws().configure(IamClient.builder(), "IAM").region(software.amazon.awssdk.regions.Region.AWS_GLOBAL).build(), s3(),
                edgeRouter(), appServerSettings(), appServerNetwork()));
    }

    /**
     * With the stack's database (its endpoint and subnets set): an app whose link is on it runs in its VPC, which the
     * app's link in the data table says. Without one, no table is read.
     */
    private AppServerNetwork appServerNetwork() {
        return config().get(EnvNames.STACK_DATABASE_HOST)
                .map(host -> {
                    DataRecords records = new DataRecords(aws().dynamoDbEnhanced(), config().require(EnvNames.DATA_TABLE), ledger());
                    return AppServerNetwork.from(config(), appId -> DatabaseLinks.linkedTo(records, appId, host));
                })
                .orElseGet(AppServerNetwork::none);
    }

    /** One Lambda client per function: app servers, their logs and the GitHub sync queue share it. */
    private LambdaClient lambda() {
        return lambda.get(() -> aws().configure(LambdaClient.builder(), "LAMBDA").build());
    }

    private AppServerSettings appServerSettings() {
        return appServerSettings.get(() -> AppServerSettings.from(config()));
    }

    private AppEnvironment environment() {
        return environment.get(() -> AppEnvironment.from(aws()));
    }

    /** Signs the direct upload's PUTs and a build's URLs with this function's credentials (no request is made). */
    private S3Presigner presigner() {
        return presigner.get(() -> S3Clients.presigner(aws()));
    }

    /** Where releases' servers run, by {@code APP_SERVERS}: {@code local} (the local edge) or {@code none}/unset. */
    AppServers appServers() {
        return hosting().servers();
    }

    /** The runtime logs of releases' servers, kept where {@link #appServers()} runs them. */
    ServerLogs serverLogs() {
        return hosting().logs();
    }

    /** A release server's logs as the API answers them (the app's values redacted). */
    RedactedServerLogs releaseLogs() {
        return new RedactedServerLogs(serverLogs(), environment());
    }

    private record Hosting(AppServers servers, ServerLogs logs) {
    }

    private Hosting hosting() {
        return hosting.get(() -> switch (AppServersEnv.kind(config())) {
            case AppServersEnv.LOCAL -> {
                var local = AppServersEnv.local(config());
                yield new Hosting(local, local);
            }
            case AppServersEnv.LAMBDA -> new Hosting(lambdaServers(), new LambdaServerLogs(
                    aws().configure(CloudWatchLogsClient.builder(), "CLOUDWATCH_LOGS").build(), lambda(), appServerSettings()));
            case AppServersEnv.NONE -> {
                var none = new NoAppServers();
                yield new Hosting(none, none);
            }
            default -> throw new IllegalStateException(AppServersEnv.APP_SERVERS + " must be local, lambda or none, not "
                    + AppServersEnv.kind(config()));
        });
    }

    private SfnClient sfn() {
        return sfn.get(() -> aws().configure(SfnClient.builder(), "SFN").build());
    }

    // ---- services

    private FailedDeployments failures() {
        return failures.get(() -> new FailedDeployments(stores(), files(), clock()));
    }

    DeployService deploys() {
        return deploys.get(() -> new DeployService(apps(), stores(), files(), sources(), failures(), sfn(),
                config().require(EnvNames.DEPLOY_STATE_MACHINE_ARN), clock()));
    }

    /** Production's moves: rollback, promote, pin, and a deployment's promotion. */
    ProductionAlias production() {
        return production.get(() -> new ProductionAlias(apps(), stores(), files(), router(), clock()));
    }

    private PreviewAlias previewAlias() {
        return previewAlias.get(() -> new PreviewAlias(stores(), router(), clock()));
    }

    /** Removal of previews: a DELETE, and the cleanup's first phase (the expired ones). */
    private ExpiredPreviews expiredPreviews() {
        return expiredPreviews.get(() -> new ExpiredPreviews(stores(), previewAlias(), previewTeardown(), clock()));
    }

    /**
     * What goes with a removed preview: its own servers and values now; its database is dropped by the data jar (the
     * only one with a Postgres driver), asked at once by an asynchronous invoke, else by its hourly schedule.
     */
    private PreviewTeardown previewTeardown() {
        return (appId, name) -> {
            appServers().removePreview(appId, name);
            environment().removePreviewValues(appId, name);
            config().get(EnvNames.PREVIEW_DATABASES_FUNCTION).filter(f -> !f.isBlank()).ifPresent(function ->
                    lambda().invoke(r -> r.functionName(function).invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String(Json.write(Json.object().put("previewDatabasesOf", appId))))));
        };
    }

    Previews previews() {
        return previews.get(() -> new Previews(apps(), stores(), sources(), deploys(), environment(), production(), previewAlias(),
                expiredPreviews(), clock()));
    }

    HookService hooks() {
        return hooks.get(() -> new HookService(new HookStore(aws().dynamoDbEnhanced(), config().require(EnvNames.ACCESS_TABLE), ledger()),
                apps(), deploys(), previews(), failedAuthLimit(), clock()));
    }

    /** GitHub sync: the webhook (which queues) and the worker (which imports and deploys). */
    GitHubSync gitHub() {
        return gitHub.get(() -> {
            AppEnvironment sourceSecrets = config().get(EnvNames.SOURCE_SECRETS_LOCAL_DIR)
                    .<AppEnvironment>map(dir -> new LocalEncryptedAppEnvironment(Path.of(dir)))
                    .orElseGet(() -> new SsmAppEnvironment(aws().ssm(), config().require(EnvNames.SOURCE_SECRETS_PARAMETER_PREFIX)));
            LambdaClient lambda = lambda();
            String worker = config().get(EnvNames.GITHUB_SYNC_FUNCTION).orElse(null);
            SyncJob.Queue queue = job -> {
                if (worker == null) {
                    throw new IllegalStateException(EnvNames.GITHUB_SYNC_FUNCTION + " is not set for this function");
                }
                lambda.invoke(r -> r.functionName(worker).invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(Json.write(job.toMap()))));
            };
            return new GitHubSync(new SourceStore(aws().dynamoDbEnhanced(), aws().dynamoDb(), config().require(EnvNames.ACCESS_TABLE), ledger()),
                    new SourceSecrets(sourceSecrets), apps(), imports(), deploys(), previews(), failedAuthLimit(), queue, clock());
        });
    }

    /** The git-URL import the sync worker fetches with (standard rules; loopback only in tests, see EnvNames). */
    private ImportService imports() {
        ImportLimits d = ImportLimits.DEFAULT;
        ImportLimits limits = new ImportLimits(
                config().get(EnvNames.IMPORT_MAX_ENTRIES).map(Integer::parseInt).orElse(d.maxEntries()),
                config().get(EnvNames.IMPORT_MAX_TOTAL_BYTES).map(Long::parseLong).orElse(d.maxTotalBytes()),
                config().get(EnvNames.IMPORT_MAX_FILE_BYTES).map(Long::parseLong).orElse(d.maxFileBytes()),
                d.maxPathChars());
        Set<Integer> ports = GitUrlImport.ports(config().get(EnvNames.GIT_URL_ALLOWED_PORTS).orElse(null));
        GitUrlImport gitUrls = "true".equals(config().get(EnvNames.GIT_URL_LOOPBACK_FOR_TESTS).orElse(null))
                ? new GitUrlImport(a -> PublicAddress.isPublic(a) || a.isLoopbackAddress(), ports, limits.maxTotalBytes(), Duration.ofSeconds(20), false)
                : GitUrlImport.standard(limits, ports);
        Path temp;
        try {
            temp = Files.createDirectories(Path.of(config().get(EnvNames.IMPORT_TEMP_DIR).orElse(System.getProperty("java.io.tmpdir"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UploadService uploads = new UploadService(s3(), S3Clients.presigner(aws()), config().require(EnvNames.ARTIFACTS_BUCKET),
                UploadService.DEFAULT_MAX_BYTES, clock());
        return new ImportService(appStore(), git(), AppEnvironment.from(aws()), uploads, gitUrls, clock(), temp, limits,
                config().get(EnvNames.NPM_REGISTRY_URL).orElse(null));
    }

    DeploySteps steps() {
        return steps.get(() -> {
            PromoteStep promotion = new PromoteStep(production(), previewAlias(), new SmokeCheck(urls()), stores(), files(), clock(),
                    appServers());
            BuildInputs buildInputs = new BuildInputs(files(), environment(),
                    new BuildUrlSigner(presigner(), config().require(EnvNames.ARTIFACTS_BUCKET)));
            return new DeploySteps(apps(), stores(), files(), sources(), environment(), promotion, failures(), clock(), buildInputs,
                    config().get(EnvNames.NPM_REGISTRY_URL).orElse(null));
        });
    }

    DirectUploadService uploads() {
        return uploads.get(() -> new DirectUploadService(apps(), stores(), files(), new ReleaseFinalizer(stores(), files(), clock()),
                presigner(), clock()));
    }

    CleanupService cleanup() {
        return cleanup.get(() -> new CleanupService(expiredPreviews(), new ReleaseSweeper(apps(), stores(), files(), clock(), appServers())));
    }
}
