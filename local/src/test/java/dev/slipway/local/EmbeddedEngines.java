package dev.slipway.local;

import dev.slipway.local.engines.DynamoDbLocalEngine;
import dev.slipway.local.engines.S3LocalEngine;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.LocalResources;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminTokens;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Real engines shared by the tests of one JVM: DynamoDB Local (in memory) and S3Proxy (in
 * memory), with the tables and buckets of the real template.yaml. Started once; tests keep apart
 * by using their own app ids.
 */
public final class EmbeddedEngines {
    /** The token the replayed events/*.json carry. */
    public static final String EVENT_TOKEN = "slw_sample-token-used-only-by-the-event-replay-tests";

    private static EmbeddedEngines instance;

    public final DynamoDbLocalEngine dynamo;
    public final S3LocalEngine s3;
    public final SamTemplate template;
    public final LocalNames names = new LocalNames();
    public final DynamoDbClient dynamoClient;
    public final S3Client s3Client;
    /** Stands in for the data folder: app secrets and import temp folders of the tests go here. */
    public final Path dataDir;

    private EmbeddedEngines() throws Exception {
        template = SamTemplate.read(repoRoot().resolve("template.yaml"));
        dataDir = Files.createTempDirectory("slipway-test-data-");
        dynamo = DynamoDbLocalEngine.start(null, 0);
        s3 = S3LocalEngine.start(null, 0, LocalRuntime.ACCESS_KEY, LocalRuntime.SECRET_KEY);
        SdkHttpClient http = ApacheHttpClient.builder().build();
        dynamoClient = DynamoDbClient.builder().httpClient(http).region(Region.of(LocalRuntime.REGION))
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(dynamo.endpoint()).build();
        s3Client = S3Client.builder().httpClient(http).region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(s3.endpoint()).build();
        LocalResources resources = new LocalResources(template, names);
        resources.createTables(dynamoClient);
        resources.createBuckets(s3Client);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dynamo.close();
                s3.close();
            } catch (Exception ignored) {
                // JVM is ending
            }
        }));
    }

    public static synchronized EmbeddedEngines get() throws Exception {
        if (instance == null) {
            instance = new EmbeddedEngines();
        }
        return instance;
    }

    /** The environment template.yaml gives a function, resolved against these engines. */
    public LocalFunctions functions() {
        Intrinsics intrinsics = new Intrinsics(template, template.parameterDefaults(), names, LocalRuntime.REGION);
        Map<String, String> env = LocalRuntime.lambdaEnvironment(dynamo.endpoint(), s3.endpoint(), AdminTokens.sha256Hex(EVENT_TOKEN), dataDir);
        // No edge runs here: routes would go to a closed port (tests that promote start a LocalRuntime).
        env.put(dev.slipway.shared.deploy.routing.RoutingEnv.EDGE_ROUTER_URL, "http://127.0.0.1:9");
        env.put(dev.slipway.shared.deploy.routing.RoutingEnv.EDGE_ROUTER_TOKEN, "event-replay-router-token");
        return new LocalFunctions(template, intrinsics, env);
    }

    public Map<String, String> environment(String functionId) {
        return functions().environment(functionId);
    }

    /** The audit ledger over the template's AuditTable. */
    public AuditLedger auditLedger() {
        return new AuditLedger(DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoClient).build(), tableName("AuditTable"));
    }

    /** The deploy stores over the template's ReleasesTable, appending to {@code ledger}. */
    public DeployStores deployStores(AuditLedger ledger) {
        return DynamoDbDeployStores.of(DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoClient).build(),
                tableName("ReleasesTable"), ledger);
    }

    public String tableName(String logicalId) {
        return names.physicalName(logicalId, SamTemplate.TABLE);
    }

    public String bucketName(String logicalId) {
        return names.physicalName(logicalId, SamTemplate.BUCKET);
    }

    /** The checkout's root: the folder holding template.yaml. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("template.yaml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no template.yaml above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
