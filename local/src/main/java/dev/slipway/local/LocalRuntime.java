package dev.slipway.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.engines.DynamoDbLocalEngine;
import dev.slipway.local.engines.S3LocalEngine;
import dev.slipway.local.gateway.LocalApiGateway;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.LocalResources;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.auth.AdminTokens;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole of Slipway in one process: DynamoDB Local and an S3 server persisted under the data
 * folder, the tables and buckets template.yaml declares, and an API Gateway that invokes the
 * template's handler classes in-process. {@link #close()} stops it all and keeps the data.
 */
public final class LocalRuntime implements AutoCloseable {
    public static final String REGION = "us-east-1";
    /** Loopback-only engines; the key pair only proves SigV4 signing works end to end. */
    static final String ACCESS_KEY = "slipwaylocal"; // DynamoDB Local accepts only letters and digits
    static final String SECRET_KEY = "slipwaylocalsecret";

    private final Options options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DynamoDbLocalEngine dynamo;
    private final S3LocalEngine s3;
    private final LocalApiGateway gateway;
    private final LocalFunctions functions;
    private final String adminToken;
    private final Path runtimeJson;
    private final List<String> tables;
    private final List<String> buckets;

    /** Where and how to run. Port 0 means "any free port". */
    public record Options(Path dataDir, Path template, String host, int apiPort) {
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
        try {
            this.adminToken = adminToken(data);
            // Imports unpack under data/tmp and always clean up; a killed process may not have.
            // (The import function makes the folder again when it starts.)
            ImportTree.deleteTree(data.resolve("tmp"));
            SamTemplate template = SamTemplate.read(options.template());

            // The two engines start in parallel: together they are most of the start-up time.
            var dynamoStart = CompletableFuture.supplyAsync(() -> unchecked(() -> DynamoDbLocalEngine.start(data.resolve("dynamodb"), 0)));
            var s3Start = CompletableFuture.supplyAsync(() -> unchecked(() -> S3LocalEngine.start(data.resolve("s3"), 0, ACCESS_KEY, SECRET_KEY)));
            try {
                startedDynamo = dynamoStart.join();
            } finally {
                startedS3 = s3Start.exceptionally(e -> null).join();
            }
            if (startedS3 == null) {
                s3Start.join();
            }
            this.dynamo = startedDynamo;
            this.s3 = startedS3;

            LocalNames names = new LocalNames();
            LocalResources resources = new LocalResources(template, names);
            try (var http = ApacheHttpClient.builder().build();
                 DynamoDbClient ddb = DynamoDbClient.builder().httpClient(http).region(Region.of(REGION))
                         .credentialsProvider(credentials()).endpointOverride(dynamo.endpoint()).build();
                 S3Client s3c = S3Client.builder().httpClient(http).region(Region.of(REGION)).forcePathStyle(true)
                         .credentialsProvider(credentials()).endpointOverride(s3.endpoint()).build()) {
                this.tables = resources.createTables(ddb);
                this.buckets = resources.createBuckets(s3c);
            }

            Intrinsics intrinsics = new Intrinsics(template, template.parameterDefaults(), names, REGION);
            this.functions = new LocalFunctions(template, intrinsics,
                    lambdaEnvironment(dynamo.endpoint(), s3.endpoint(), AdminTokens.sha256Hex(adminToken), data));
            functions.warmAll();
            this.gateway = new LocalApiGateway(template.routes(), functions, options.host(), options.apiPort());
            gateway.start();
            this.runtimeJson = data.resolve("runtime.json");
            writePrivate(runtimeJson, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(describe()) + "\n");
        } catch (Exception | Error e) {
            closeQuietly(startedDynamo);
            closeQuietly(startedS3);
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
    public static Map<String, String> lambdaEnvironment(java.net.URI dynamoDb, java.net.URI s3, String adminTokenSha256,
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
        env.put(EnvNames.IMPORT_TEMP_DIR, data.resolve("tmp").toString());
        return env;
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
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public ObjectNode describe() {
        ObjectNode n = Json.object();
        n.put("apiUrl", apiUrl());
        n.put("adminToken", adminToken);
        n.put("pid", ProcessHandle.current().pid());
        n.put("dataDir", options.dataDir().toAbsolutePath().normalize().toString());
        n.put("startedAt", Instant.now().toString());
        n.put("dynamodbEndpoint", dynamo.endpoint().toString());
        n.put("s3Endpoint", s3.endpoint().toString());
        n.put("region", REGION);
        n.putPOJO("tables", tables);
        n.putPOJO("buckets", buckets);
        return n;
    }

    public String apiUrl() {
        return "http://" + options.host() + ":" + gateway.port();
    }

    public String adminToken() {
        return adminToken;
    }

    public Path runtimeJson() {
        return runtimeJson;
    }

    public LocalFunctions functions() {
        return functions;
    }

    public java.net.URI dynamoDbEndpoint() {
        return dynamo.endpoint();
    }

    public java.net.URI s3Endpoint() {
        return s3.endpoint();
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(gateway);
        closeQuietly(dynamo);
        closeQuietly(s3);
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
}
