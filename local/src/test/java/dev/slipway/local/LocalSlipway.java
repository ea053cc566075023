package dev.slipway.local;

import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * `slipway up` for one test class: a {@link LocalRuntime} (engines, API, edge, Step Functions) on a
 * temp data folder, started before the class's first test and stopped (folder deleted) after its last.
 * <pre>{@code
 * @RegisterExtension
 * static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05).build();
 *
 * slipway.api().json("POST", "/apps", "{\"id\":\"shop\",\"name\":\"Shop\"}");
 * slipway.edge().site("shop", "/");
 * slipway.dynamo().query(q -> q.tableName(slipway.tableName("AuditTable")) ...);
 * }</pre>
 * Its {@code beforeAll} runs before the class's own {@code @BeforeAll} methods, its {@code afterAll} after theirs.
 */
public final class LocalSlipway implements BeforeAllCallback, AfterAllCallback {
    private final boolean skipWithoutNpmDependencies;
    private final double retryIntervalScale;
    private final Duration scheduleInterval;
    private final java.util.Map<String, String> environment;
    private final Duration serverIdle;
    private final boolean unsandboxed;
    private final LocalNames names = new LocalNames();
    private final AdminApi api = new AdminApi(() -> runtime().apiUrl(), () -> runtime().adminToken());
    private final EdgeClient edge = new EdgeClient(() -> runtime().edge().port());
    private String startedBy;
    private Path dataDir;
    private volatile LocalRuntime runtime;
    private SdkHttpClient storeHttp;
    private DynamoDbClient dynamo;
    private DynamoDbEnhancedClient enhanced;
    private S3Client s3;

    private LocalSlipway(Builder b) {
        this.skipWithoutNpmDependencies = b.skipWithoutNpmDependencies;
        this.retryIntervalScale = b.retryIntervalScale;
        this.scheduleInterval = b.scheduleInterval;
        this.environment = java.util.Map.copyOf(b.environment);
        this.serverIdle = b.serverIdle;
        this.unsandboxed = b.unsandboxed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Skips the calling test (or class, from a {@code @BeforeAll}) unless the npm dependencies of the
     * fixture (the local Step Functions engine) are installed, as `mvn verify` does.
     */
    public static void assumeNpmDependencies() {
        Assumptions.assumeTrue(Files.isDirectory(EmbeddedEngines.repoRoot().resolve("node_modules/aws-local-stepfunctions")),
                "node_modules not installed (mvn verify installs it)");
    }

    /**
     * The options a runtime on {@code data} gets in tests: the checkout's template.yaml, any free ports
     * (for a test that starts its own, e.g. several on one folder).
     */
    public static LocalRuntime.Options.Builder defaultOptions(Path data) {
        return LocalRuntime.Options.builder(data).template(EmbeddedEngines.repoRoot().resolve("template.yaml"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (startedBy != null) {
            return; // a @Nested class: the outer class's runtime serves it too
        }
        if (skipWithoutNpmDependencies) {
            assumeNpmDependencies();
        }
        startedBy = context.getUniqueId();
        dataDir = Files.createTempDirectory("slipway-test-");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!context.getUniqueId().equals(startedBy)) {
            return;
        }
        startedBy = null;
        try {
            stop();
        } finally {
            deleteTree(dataDir);
        }
    }

    /** The options this runtime runs with (a test that checks a second runtime is refused starts one on them). */
    public LocalRuntime.Options options() {
        LocalRuntime.Options.Builder b = defaultOptions(dataDir).retryIntervalScale(retryIntervalScale).scheduleInterval(scheduleInterval)
                .serverIdle(serverIdle).unsandboxedBuilds(unsandboxed);
        environment.forEach(b::environment);
        return b.build();
    }

    /** Starts the runtime on the data folder (again, after {@link #stop()}: a restart keeps the data). */
    public synchronized void start() throws Exception {
        if (runtime != null) {
            throw new IllegalStateException("already running");
        }
        runtime = LocalRuntime.start(options());
    }

    /** Stops the runtime (keeping the data folder) and closes the store clients handed out so far. */
    public synchronized void stop() {
        closeStoreClients();
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    public LocalRuntime runtime() {
        LocalRuntime r = runtime;
        if (r == null) {
            throw new IllegalStateException("the local runtime is not running (is the LocalSlipway field static?)");
        }
        return r;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The API with the admin token. */
    public AdminApi api() {
        return api;
    }

    /** The edge: the sites as a browser reaches them. */
    public EdgeClient edge() {
        return edge;
    }

    public synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            dynamo = DynamoDbClient.builder().httpClient(storeHttp()).region(Region.of(LocalRuntime.REGION))
                    .credentialsProvider(LocalRuntime.credentials()).endpointOverride(runtime().dynamoDbEndpoint()).build();
        }
        return dynamo;
    }

    public synchronized DynamoDbEnhancedClient enhanced() {
        if (enhanced == null) {
            enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo()).build();
        }
        return enhanced;
    }

    public synchronized S3Client s3() {
        if (s3 == null) {
            s3 = S3Client.builder().httpClient(storeHttp()).region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                    .credentialsProvider(LocalRuntime.credentials()).endpointOverride(runtime().s3Endpoint()).build();
        }
        return s3;
    }

    /** The physical name of a template table: {@code tableName("AuditTable")}. */
    public String tableName(String logicalId) {
        return names.physicalName(logicalId, SamTemplate.TABLE);
    }

    /** The artifacts bucket (release files, uploads, exports). */
    public String bucket() {
        return names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
    }

    private SdkHttpClient storeHttp() {
        if (storeHttp == null) {
            storeHttp = ApacheHttpClient.builder().maxConnections(64).build();
        }
        return storeHttp;
    }

    private synchronized void closeStoreClients() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (storeHttp != null) {
            storeHttp.close();
        }
        dynamo = null;
        enhanced = null;
        s3 = null;
        storeHttp = null;
    }

    /** Best effort, as the folder is under the system temp folder: a file a child process still writes may stay. */
    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a folder a late file landed in; left to the temp folder's cleaner
                }
            }
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // the tree changed while walked; as above
        }
    }

    public static final class Builder {
        private boolean skipWithoutNpmDependencies;
        private double retryIntervalScale = 1.0;
        private Duration scheduleInterval;
        private final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();
        private Duration serverIdle;
        private boolean unsandboxed;

        private Builder() {
        }

        /** Builds and app servers without the sandbox (as `--unsandboxed-builds`; sandboxed servers reach databases through tunnels). */
        public Builder unsandboxed() {
            this.unsandboxed = true;
            return this;
        }

        /** How long an app server may idle before the local edge stops it (default: the runtime's 5 minutes). */
        public Builder serverIdle(Duration idle) {
            this.serverIdle = idle;
            return this;
        }

        /** A variable every function gets over the template's (e.g. FAILED_AUTH_PER_MINUTE). */
        public Builder environment(String name, String value) {
            this.environment.put(name, value);
            return this;
        }

        /** Skips the class unless the fixture's npm dependencies are installed ({@link #assumeNpmDependencies()}). */
        public Builder skipWithoutNpmDependencies() {
            this.skipWithoutNpmDependencies = true;
            return this;
        }

        /** Multiplies the state machines' Retry intervals (tests that exhaust retries use 0.05). */
        public Builder retryIntervalScale(double scale) {
            this.retryIntervalScale = scale;
            return this;
        }

        /** How often the schedules run: {@link Duration#ZERO} = never (POST /cleanup runs it); default each its own rate. */
        public Builder scheduleInterval(Duration interval) {
            this.scheduleInterval = interval;
            return this;
        }

        public LocalSlipway build() {
            return new LocalSlipway(this);
        }
    }
}
