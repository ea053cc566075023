package dev.slipway.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.edge.LocalEdge;
import dev.slipway.local.engines.DynamoDbLocalEngine;
import dev.slipway.local.engines.PostgresEngine;
import dev.slipway.local.engines.S3LocalEngine;
import dev.slipway.local.gateway.LocalApiGateway;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.local.schedule.LocalSchedules;
import dev.slipway.local.stepfunctions.LambdaInvokeEndpoint;
import dev.slipway.local.stepfunctions.LocalStepFunctions;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.LocalResources;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.auth.AdminTokens;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.build.BuildReport;
import dev.slipway.shared.deploy.build.BuildRequest;
import dev.slipway.shared.deploy.build.LocalBuildRunner;
import dev.slipway.shared.deploy.build.LocalBuildStep;
import dev.slipway.functions.data.DataJobMain;
import dev.slipway.local.stepfunctions.LocalTask;
import dev.slipway.shared.deploy.build.sandbox.BuildSandbox;
import dev.slipway.shared.deploy.build.sandbox.Unsandboxed;
import dev.slipway.local.servers.AppServerPool;
import dev.slipway.shared.deploy.routing.RoutingEnv;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.deploy.server.hosting.AppServersEnv;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole of Slipway in one process: DynamoDB Local and an S3 server persisted under the data
 * folder, with the tables and buckets template.yaml declares; an API Gateway that invokes the
 * template's handler classes in-process; a Lambda Invoke endpoint and the local Step Functions
 * (a Node process running the template's state machines, whose Build task is a local npm build);
 * the edge serving sites from the bucket; and a timer running the template's schedules. Only one
 * runtime holds a data folder at a time (a file lock), and {@code runtime.json} tells scripts
 * where it is. {@link #close()} stops it all and keeps the data.
 */
public final class LocalRuntime implements AutoCloseable {
    static {
        // The JDK HTTP server writes headers and body apart: without TCP_NODELAY, Nagle and delayed
        // ACKs add ~40 ms to every local call (API, Lambda invoke, edge). Must be set before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // The deploy smoke check names a *.localhost site in the Host header (Java does not resolve *.localhost).
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    public static final String REGION = "us-east-1";
    /** A local build may take this long (install + build), as the CodeBuild project's timeout in AWS. */
    static final Duration BUILD_TIME_LIMIT = Duration.ofMinutes(20);
    /** The Lambda-style name every {@code codebuild:startBuild.sync} Task calls locally; it hands on by ProjectName. */
    public static final String LOCAL_CODEBUILD_TASK = "slipway-local-codebuild";
    /** What answers for BuildProject (the deploy's Build state): a local npm build. */
    public static final String LOCAL_BUILD_TASK = "slipway-local-build";
    /** What answers for DataJobProject (the data workflow's long steps): DataJobMain in-process. */
    public static final String LOCAL_DATA_JOB_TASK = "slipway-local-data-job";
    /** The function whose package and environment DataJobProject's buildspec runs (its SLIPWAY_DATA_FUNCTION). */
    static final String DATA_JOB_FUNCTION = "DataStepsFunction";
    /** Loopback-only engines; the key pair only proves SigV4 signing works end to end. */
    static final String ACCESS_KEY = "slipwaylocal"; // DynamoDB Local accepts only letters and digits
    static final String SECRET_KEY = "slipwaylocalsecret";

    /** Lambda keeps an idle execution environment for minutes; a local server stops after as long. */
    public static final Duration DEFAULT_SERVER_IDLE = Duration.ofMinutes(5);

    private final Options options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DynamoDbLocalEngine dynamo;
    private final S3LocalEngine s3;
    private final PostgresEngine postgres;
    private final LocalApiGateway gateway;
    private final LocalFunctions functions;
    private final String adminToken;
    private final Path runtimeJson;
    private final List<String> tables;
    private final List<String> buckets;
    private final LambdaInvokeEndpoint lambda;
    private final LocalStepFunctions stepFunctions;
    private final LocalEdge edge;
    private final AppServerPool appServers;
    private final LocalSchedules schedules;
    private final S3Client runtimeS3;
    private final SdkHttpClient runtimeHttp;
    private BuildSandbox buildSandbox;

    /**
     * Where and how to run; {@link #builder(Path)} names each part and fills in the defaults.
     *
     * @param dataDir            the data folder (engines' files, admin token, runtime.json)
     * @param template           the SAM template to run
     * @param host               the address the API and the edge listen on
     * @param apiPort            the API's port; 0 means "any free port"
     * @param edgePort           the edge's port; 0 means "any free port"
     * @param retryIntervalScale multiplies the state machines' Retry intervals (1 = as written; tests
     *                           that exhaust retries use a small factor to stay fast)
     * @param scheduleInterval   how often the template's schedules run locally: null = each its own
     *                           {@code rate(...)}; zero = never (run the cleanup with POST /cleanup)
     * @param unsandboxedBuilds  the owner's explicit choice to build without the sandbox (machines without
     *                           bubblewrap or user namespaces; only for code they trust)
     * @param environment        variables every function gets over the template's (tests: another
     *                           FAILED_AUTH_PER_MINUTE)
     * @param serverIdle         an app server with no request for this long is stopped (default 5 minutes)
     */
    public record Options(Path dataDir, Path template, String host, int apiPort, int edgePort, double retryIntervalScale,
                          Duration scheduleInterval, boolean unsandboxedBuilds, Map<String, String> environment,
                          Duration serverIdle) {
        public Options {
            serverIdle = serverIdle == null ? DEFAULT_SERVER_IDLE : serverIdle;
        }

        public Options(Path dataDir, Path template, String host, int apiPort, int edgePort, double retryIntervalScale,
                       Duration scheduleInterval, boolean unsandboxedBuilds, Map<String, String> environment) {
            this(dataDir, template, host, apiPort, edgePort, retryIntervalScale, scheduleInterval, unsandboxedBuilds, environment, null);
        }

        /** Options for {@code dataDir} running {@code template.yaml} of the working folder; see {@link Builder}. */
        public static Builder builder(Path dataDir) {
            return new Builder(dataDir);
        }

        /**
         * Today's defaults: template.yaml of the working folder, host 127.0.0.1, any free API and edge
         * port, Retry intervals as written, each schedule at its own rate.
         */
        public static final class Builder {
            private Path dataDir;
            private Path template = Path.of("template.yaml");
            private String host = "127.0.0.1";
            private int apiPort;
            private int edgePort;
            private double retryIntervalScale = 1.0;
            private Duration scheduleInterval;
            private boolean unsandboxedBuilds;
            private final Map<String, String> environment = new LinkedHashMap<>();
            private Duration serverIdle;

            private Builder(Path dataDir) {
                this.dataDir = dataDir;
            }

            public Builder dataDir(Path dataDir) {
                this.dataDir = dataDir;
                return this;
            }

            public Builder template(Path template) {
                this.template = template;
                return this;
            }

            public Builder host(String host) {
                this.host = host;
                return this;
            }

            /** 0 = any free port. */
            public Builder apiPort(int apiPort) {
                this.apiPort = apiPort;
                return this;
            }

            /** 0 = any free port. */
            public Builder edgePort(int edgePort) {
                this.edgePort = edgePort;
                return this;
            }

            /** Multiplies the state machines' Retry intervals (1 = as written). */
            public Builder retryIntervalScale(double retryIntervalScale) {
                this.retryIntervalScale = retryIntervalScale;
                return this;
            }

            /** null = each schedule its own rate; zero = never. */
            public Builder scheduleInterval(Duration scheduleInterval) {
                this.scheduleInterval = scheduleInterval;
                return this;
            }

            /** Builds run as plain child processes, unconfined (see {@link Unsandboxed}). */
            public Builder unsandboxedBuilds(boolean unsandboxedBuilds) {
                this.unsandboxedBuilds = unsandboxedBuilds;
                return this;
            }

            /** How long an app server may go without a request before it is stopped (null: 5 minutes). */
            public Builder serverIdle(Duration serverIdle) {
                this.serverIdle = serverIdle;
                return this;
            }

            /** A variable every function gets over the template's value. */
            public Builder environment(String name, String value) {
                this.environment.put(name, value);
                return this;
            }

            public Options build() {
                return new Options(dataDir, template, host, apiPort, edgePort, retryIntervalScale, scheduleInterval,
                        unsandboxedBuilds, Map.copyOf(environment), serverIdle);
            }
        }
    }

    private LocalRuntime(Options options) throws Exception {
        this.options = options;
        Path data = options.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(data);
        this.lockChannel = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("Slipway is already running with data folder " + data
                    + " (see " + data.resolve("runtime.json") + "); stop it or use --data for another folder");
        }
        DynamoDbLocalEngine startedDynamo = null;
        S3LocalEngine startedS3 = null;
        PostgresEngine startedPostgres = null;
        LocalStepFunctions startedSfn = null;
        LambdaInvokeEndpoint startedLambda = null;
        LocalEdge startedEdge = null;
        AppServerPool startedServers = null;
        LocalSchedules startedSchedules = null;
        try {
            this.adminToken = adminToken(data);
            // Imports unpack under data/tmp and builds work under data/builds; both always clean up,
            // but a killed process may not have. (Each makes its folder again when it starts.)
            ImportTree.deleteTree(data.resolve("tmp"));
            ImportTree.deleteTree(data.resolve("builds"));
            SamTemplate template = SamTemplate.read(options.template());

            LocalNames names = new LocalNames();
            Map<String, String> parameters = new LinkedHashMap<>(template.parameterDefaults());
            // locally the stack's registry is the machine's own (a company mirror configured for npm), if it has one
            for (String name : List.of("npm_config_registry", "NPM_CONFIG_REGISTRY")) {
                String machine = System.getenv(name);
                if (machine != null && !machine.isBlank() && parameters.containsKey("NpmRegistryUrl")) {
                    parameters.put("NpmRegistryUrl", machine);
                    break;
                }
            }
            Intrinsics intrinsics = new Intrinsics(template, parameters, names, REGION);
            // Task states call back into this JVM through a Lambda Invoke endpoint; its tasks are
            // registered once the functions exist (they need the Step Functions endpoint first).
            startedLambda = LambdaInvokeEndpoint.start(Map.of());
            LambdaInvokeEndpoint lambdaEndpoint = startedLambda;
            Path nodeHome = nodeHome(options.template());

            // The engines and the Step Functions server start in parallel: together they are most of the start-up time.
            var dynamoStart = CompletableFuture.supplyAsync(() -> unchecked(() -> DynamoDbLocalEngine.start(data.resolve("dynamodb"), 0)));
            var s3Start = CompletableFuture.supplyAsync(() -> unchecked(() -> S3LocalEngine.start(data.resolve("s3"), 0, ACCESS_KEY, SECRET_KEY)));
            var sfnStart = CompletableFuture.supplyAsync(() -> unchecked(() -> LocalStepFunctions.start(new LocalStepFunctions.Options(
                    nodeHome, data.resolve("stepfunctions"), lambdaEndpoint.endpoint(),
                    LocalStepFunctions.machines(template, intrinsics),
                    Map.of("arn:aws:states:::codebuild:startBuild.sync", LOCAL_CODEBUILD_TASK), options.retryIntervalScale(), 1.0))));
            try {
                startedDynamo = dynamoStart.join();
            } finally {
                startedS3 = s3Start.exceptionally(e -> null).join();
                startedSfn = sfnStart.exceptionally(e -> null).join();
            }
            if (startedS3 == null) {
                s3Start.join();
            }
            if (startedSfn == null) {
                sfnStart.join();
            }
            this.dynamo = startedDynamo;
            this.s3 = startedS3;
            // Postgres starts on the first call of a function that uses it (scratch restores, previews).
            startedPostgres = PostgresEngine.onDemand(data.resolve("postgres"), true);
            this.postgres = startedPostgres;
            this.stepFunctions = startedSfn;
            this.lambda = startedLambda;

            LocalResources resources = new LocalResources(template, names);
            try (var http = ApacheHttpClient.builder().build();
                 DynamoDbClient ddb = DynamoDbClient.builder().httpClient(http).region(Region.of(REGION))
                         .credentialsProvider(credentials()).endpointOverride(dynamo.endpoint()).build();
                 S3Client s3c = S3Client.builder().httpClient(http).region(Region.of(REGION)).forcePathStyle(true)
                         .credentialsProvider(credentials()).endpointOverride(s3.endpoint()).build()) {
                this.tables = resources.createTables(ddb);
                this.buckets = resources.createBuckets(s3c);
            }

            // The edge serves sites from the bucket (http://{app}.localhost:PORT/); the deploy
            // workflow points hosts at releases through its admin API, as it would the CloudFront KVS.
            this.runtimeHttp = ApacheHttpClient.builder().maxConnections(64).build();
            this.runtimeS3 = S3Client.builder().httpClient(runtimeHttp).region(Region.of(REGION)).forcePathStyle(true)
                    .credentialsProvider(credentials()).endpointOverride(s3.endpoint()).build();
            String bucket = names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
            // Lambda's part for full-stack apps: a Node process per release and scope, run in the builds' sandbox
            this.buildSandbox = options.unsandboxedBuilds() ? new Unsandboxed() : LocalBuildRunner.defaultSandbox();
            startedServers = new AppServerPool(runtimeS3, bucket, data.resolve("servers"),
                    new LocalEncryptedAppEnvironment(data.resolve("secrets")), buildSandbox, options.serverIdle(), AppServerPool.START_LIMIT,
                    new InetSocketAddress(postgres.endpoint().getHost(), postgres.endpoint().getPort()));
            this.appServers = startedServers;
            startedEdge = new LocalEdge(runtimeS3, bucket, data.resolve("edge-routes.json"), options.host(), options.edgePort(),
                    routerToken(data), appServers);
            startedEdge.start();
            this.edge = startedEdge;

            Map<String, String> env = lambdaEnvironment(dynamo.endpoint(), s3.endpoint(), AdminTokens.sha256Hex(adminToken), data);
            // the stack's database (CreateDatabase in AWS): the runtime's Postgres, as DynamoDB Local is the tables'
            env.put(EnvNames.STACK_DATABASE_URL, postgres.endpoint().toString());
            env.putAll(options.environment());
            env.put("AWS_ENDPOINT_URL_SFN", stepFunctions.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint().toString());
            env.put(RoutingEnv.EDGE_ROUTER_URL, edge.adminUrl());
            env.put(RoutingEnv.EDGE_ROUTER_TOKEN, routerToken(data));
            env.put(AppServersEnv.APP_SERVERS, AppServersEnv.LOCAL);
            env.put(EnvNames.SITE_URL_PATTERN, sitePattern());
            env.put(EnvNames.DATA_SCRATCH_URL, postgres.endpoint().toString());
            this.functions = new LocalFunctions(template, intrinsics, env);
            functions.beforeInvoke(id -> {
                if (functions.environment(id).containsKey(EnvNames.DATA_SCRATCH_URL_PARAMETER)) {
                    postgres.server(); // the functions that use a scratch server name its parameter in template.yaml
                }
            });
            functions.warmAll();
            LambdaInvokeEndpoint.templateTasks(functions).forEach(lambda::register);
            // CodeBuild's part: like the buildspec it reaches the bucket only through the URLs ExportSource minted.
            LocalBuildStep build = new LocalBuildStep(data.resolve("builds"),
                    new LocalBuildRunner(data.resolve("build-cache"), BUILD_TIME_LIMIT, buildSandbox));
            lambda.register(LOCAL_BUILD_TASK, input -> codeBuildAnswer(build.run(BuildRequest.fromJson(input))));
            // DataJobProject's part: what its buildspec runs (DataJobMain), with the environment of the function whose
            // package it fetches; in-process, as that function's steps run. A failed job is a failed build.
            lambda.register(LOCAL_DATA_JOB_TASK, input -> {
                Map<String, String> vars = BuildRequest.fromJson(input).variables();
                functions.prepare(DATA_JOB_FUNCTION);
                try {
                    DataJobMain.run(functions.environment(DATA_JOB_FUNCTION), vars.get("SLIPWAY_DATA_STEP"),
                            vars.get("SLIPWAY_APP_ID"), vars.get("SLIPWAY_JOB_ID"));
                } catch (RuntimeException e) {
                    throw new LocalTask.Failure("States.TaskFailed", "data job " + vars.get("SLIPWAY_DATA_STEP") + " failed: " + e.getMessage());
                }
                ObjectNode answer = Json.object();
                answer.putObject("Build").put("Id", "DataJobProject:" + java.util.UUID.randomUUID()).put("BuildStatus", "SUCCEEDED");
                return answer;
            });
            // One Task resource for every project: the ProjectName says which stand-in answers.
            Map<String, String> projects = Map.of(intrinsics.resolve(Map.of("Ref", "BuildProject")), LOCAL_BUILD_TASK,
                    intrinsics.resolve(Map.of("Ref", "DataJobProject")), LOCAL_DATA_JOB_TASK);
            lambda.register(LOCAL_CODEBUILD_TASK, input -> {
                String task = projects.get(input.path("ProjectName").asText());
                if (task == null) {
                    throw new LocalTask.Failure("CodeBuild.ResourceNotFoundException", "no CodeBuild project " + input.path("ProjectName").asText());
                }
                return lambda.task(task).invoke(input);
            });
            int lost = LostDeployments.sweep(functions.environment("DeploymentsFunction"));
            if (lost > 0) {
                System.err.println("slipway: " + lost + " deployment(s) interrupted by the last stop are marked FAILED");
            }
            int lostJobs = LostBackups.sweep(functions.environment("DataScheduleFunction"));
            if (lostJobs > 0) {
                System.err.println("slipway: " + lostJobs + " backup(s) or restore(s) interrupted by the last stop are marked FAILED");
            }
            this.gateway = new LocalApiGateway(template.routes(), functions, options.host(), options.apiPort());
            gateway.start();
            // EventBridge Scheduler's part: the hourly cleanup and audit export, through the Lambda Invoke endpoint.
            startedSchedules = LocalSchedules.start(template, lambda.endpoint(), options.scheduleInterval());
            this.schedules = startedSchedules;
            this.runtimeJson = data.resolve("runtime.json");
            writePrivate(runtimeJson, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(describe()) + "\n");
        } catch (Exception | Error e) {
            closeQuietly(startedSchedules);
            closeQuietly(startedEdge);
            closeQuietly(startedServers);
            closeQuietly(startedSfn);
            closeQuietly(startedLambda);
            closeQuietly(startedDynamo);
            closeQuietly(startedS3);
            closeQuietly(startedPostgres);
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    public static LocalRuntime start(Options options) throws Exception {
        return new LocalRuntime(options);
    }

    /**
     * What Lambda would add to a function's environment, pointed at the embedded engines, plus the
     * admin token's hash (there is no SSM on a laptop; the token itself stays in the data folder).
     */
    public static Map<String, String> lambdaEnvironment(URI dynamoDb, URI s3, String adminTokenSha256,
                                                        Path data) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Config.LOCAL_FLAG, "true");
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString());
        env.put("AWS_ENDPOINT_URL_S3", s3.toString());
        env.put(EnvNames.ADMIN_TOKEN_SHA256, adminTokenSha256);
        // No SSM on a laptop: app environment variables are AES-GCM files under the data folder.
        env.put(EnvNames.APP_ENV_LOCAL_DIR, data.resolve("secrets").toString());
        // GitHub sources' webhook secrets and tokens: apart from the app environment builds read.
        env.put(EnvNames.SOURCE_SECRETS_LOCAL_DIR, data.resolve("source-secrets").toString());
        env.put(EnvNames.IMPORT_TEMP_DIR, data.resolve("tmp").toString());
        // Linked databases' URLs: apart from both, like the source secrets.
        env.put(EnvNames.DATABASE_SECRETS_LOCAL_DIR, data.resolve("database-secrets").toString());
        return env;
    }

    /** The edge's own address pattern: {@code http://{host}.localhost:PORT/}. */
    public String sitePattern() {
        return "http://{host}.localhost:" + edge.port() + "/";
    }

    /** Where the Node files and node_modules are: beside the template when it is the Slipway folder's. */
    private static Path nodeHome(Path template) {
        Path dir = template.toAbsolutePath().normalize().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve(LocalStepFunctions.NODE_DIR).resolve("server.mjs"))) {
            return dir;
        }
        return LocalStepFunctions.home();
    }

    /** The secret the deploy workflow presents to the edge's route API; kept like the admin token. */
    private static String routerToken(Path data) throws IOException {
        Path file = data.resolve("edge-router-token");
        if (Files.exists(file)) {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.length() >= 16) {
                return token;
            }
        }
        String token = AdminTokens.generate();
        writePrivate(file, token + "\n");
        return token;
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** The token is made on first start and kept (owner-only) so a restart keeps it valid. */
    private static String adminToken(Path data) throws IOException {
        Path file = data.resolve("admin-token");
        if (Files.exists(file)) {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!token.isEmpty()) {
                return token;
            }
        }
        String token = AdminTokens.generate();
        writePrivate(file, token + "\n");
        return token;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public ObjectNode describe() {
        ObjectNode n = Json.object();
        n.put("apiUrl", apiUrl());
        n.put("consoleUrl", consoleUrl());
        n.put("adminToken", adminToken);
        n.put("pid", ProcessHandle.current().pid());
        n.put("dataDir", options.dataDir().toAbsolutePath().normalize().toString());
        n.put("startedAt", Instant.now().toString());
        n.put("dynamodbEndpoint", dynamo.endpoint().toString());
        n.put("s3Endpoint", s3.endpoint().toString());
        n.put("edgeUrl", sitePattern().replace("{host}", "{app}"));
        n.put("edgePort", edge.port());
        n.put("stepFunctionsEndpoint", stepFunctions.endpoint().toString());
        n.put("postgresEndpoint", postgres.endpoint().toString()); // started on first need
        n.put("region", REGION);
        n.putPOJO("tables", tables);
        n.putPOJO("buckets", buckets);
        var sched = n.putObject("schedules");
        schedules.schedules().forEach(x -> sched.put(x.id(), x.functionId() + " every " + x.rate()));
        return n;
    }

    public String apiUrl() {
        return "http://" + options.host() + ":" + gateway.port();
    }

    /** The web console, served by the API from its own origin (ConsoleFunction). */
    public String consoleUrl() {
        return apiUrl() + "/console/";
    }

    public String adminToken() {
        return adminToken;
    }

    /** Where this runtime's builds run (bubblewrap, unsandboxed by choice, or unavailable with the reason). */
    public BuildSandbox buildSandbox() {
        return buildSandbox;
    }

    public Path runtimeJson() {
        return runtimeJson;
    }

    public LocalFunctions functions() {
        return functions;
    }

    public URI dynamoDbEndpoint() {
        return dynamo.endpoint();
    }

    public URI s3Endpoint() {
        return s3.endpoint();
    }

    /** Postgres on demand: its server starts on the first call to {@code server()}. */
    public PostgresEngine postgres() {
        return postgres;
    }

    /** The Lambda Invoke endpoint Task states call: tests wrap a task here to inject faults. */
    public LambdaInvokeEndpoint lambdaEndpoint() {
        return lambda;
    }

    /** The releases' Node servers the edge runs. */
    public AppServerPool appServers() {
        return appServers;
    }

    public LocalEdge edge() {
        return edge;
    }

    /** The template's schedules as they run here (tests run one now, or count runs). */
    public LocalSchedules schedules() {
        return schedules;
    }

    public LocalStepFunctions stepFunctions() {
        return stepFunctions;
    }

    /** The site URL of a host label ({@code shop}, {@code <release>--shop}). */
    public String siteUrl(String hostLabel) {
        return edge.siteUrl(hostLabel);
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(schedules);
        closeQuietly(gateway);
        closeQuietly(edge);
        closeQuietly(appServers);
        // Step Functions before the Lambda endpoint its tasks call; both before the engines they use.
        closeQuietly(stepFunctions);
        closeQuietly(lambda);
        closeQuietly(runtimeS3);
        closeQuietly(runtimeHttp);
        closeQuietly(dynamo);
        closeQuietly(s3);
        closeQuietly(postgres);
        try {
            Files.deleteIfExists(runtimeJson);
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("while stopping: " + e);
        }
    }

    private interface Start<T> {
        T run() throws Exception;
    }

    private static <T> T unchecked(Start<T> s) {
        try {
            return s.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A local build's report as {@code codebuild:startBuild.sync} answers: {@code {"Build": {Id, BuildStatus, …}}}. */
    static ObjectNode codeBuildAnswer(BuildReport report) {
        ObjectNode out = Json.object();
        ObjectNode build = out.putObject("Build");
        build.put("Id", report.id());
        build.put("BuildStatus", report.status());
        build.put("DependencyCacheHit", report.dependencyCacheHit());
        build.put("InstallMillis", report.installMillis());
        build.put("BuildMillis", report.buildMillis());
        return out;
    }
}
