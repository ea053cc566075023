package dev.slipway.local;

import dev.slipway.local.template.IamGrants;
import dev.slipway.local.template.SamTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every AWS SDK call a function's code can reach is allowed by that function's policy in template.yaml,
 * on the named resource it acts on.
 *
 * <p>How: the compiled classes of shared/ and functions/ are read with ASM; from the handler class
 * template.yaml names, the calls are followed method by method (virtual and interface calls to every
 * implementation in our code, lambdas and method references where they are created, and, for our
 * classes that plug into a library — JGit's DFS, the JDK's interfaces — every method of the class once
 * it is instantiated). Each call on an SDK client is an operation; {@link #needs} maps it to the IAM
 * action and to the resource it touches, which depends on the class making it (each store owns one
 * table; the admin token and the app variables are different SSM parameters). An over-approximation:
 * a path the code can take is enough to need the grant.
 */
class SdkCallsAreGrantedTest {
    private static final String S3 = "software/amazon/awssdk/services/s3/S3Client";
    private static final String PRESIGNER = "software/amazon/awssdk/services/s3/presigner/S3Presigner";
    private static final String SSM = "software/amazon/awssdk/services/ssm/SsmClient";
    private static final String SFN = "software/amazon/awssdk/services/sfn/SfnClient";
    private static final String KVS = "software/amazon/awssdk/services/cloudfrontkeyvaluestore/CloudFrontKeyValueStoreClient";
    private static final String DDB = "software/amazon/awssdk/services/dynamodb/DynamoDbClient";
    private static final String TABLE = "software/amazon/awssdk/enhanced/dynamodb/DynamoDbTable";
    private static final String INDEX = "software/amazon/awssdk/enhanced/dynamodb/DynamoDbIndex";
    private static final String ENHANCED = "software/amazon/awssdk/enhanced/dynamodb/DynamoDbEnhancedClient";
    private static final String TX = "software/amazon/awssdk/enhanced/dynamodb/model/TransactWriteItemsEnhancedRequest$Builder";
    private static final String LAMBDA = "software/amazon/awssdk/services/lambda/LambdaClient";
    private static final String IAM = "software/amazon/awssdk/services/iam/IamClient";
    private static final String LOGS = "software/amazon/awssdk/services/cloudwatchlogs/CloudWatchLogsClient";
    private static final Set<String> SDK_OWNERS = Set.of(S3, PRESIGNER, SSM, SFN, KVS, DDB, TABLE, INDEX, ENHANCED, TX, LAMBDA, IAM, LOGS);
    /** An app's server function and role (deploy/server/lambda), as the stack names them for app "shop". */
    private static final String APP_FUNCTION = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AppServerPrefix}shop";
    private static final String APP_ROLE = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/slipway-apps/${AWS::StackName}/${AppServerPrefix}shop";
    private static final String APP_LOG_GROUP = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AppServerPrefix}shop";
    /** Granted only under a condition (the boundary every app role carries; roles passed to Lambda only). */
    private static final Set<String> CONDITIONAL_ACTIONS = Set.of("iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs");
    /**
     * What Lambda checks of a caller whose function configuration has a VpcConfig (an app server in the stack database's
     * VPC, AppServerNetwork): granted only under HasStackDatabase, on "*" (Describe calls name no resource).
     */
    private static final List<Need> VPC_CONFIG_NEEDS = List.of(new Need("ec2:DescribeSecurityGroups", "*"),
            new Need("ec2:DescribeSubnets", "*"), new Need("ec2:DescribeVpcs", "*"));
    /**
     * The KeyValueStore data-plane API needs SigV4a, so the router calls it over the SDK's HTTP client with
     * the SDK's signer, not through a client: its methods stand for the operations (see {@link #needs}).
     */
    private static final String KVS_ROUTER = "dev/slipway/shared/deploy/routing/KeyValueStoreRouter";
    private static final Set<String> KVS_ROUTER_OPERATIONS = Set.of("point", "remove", "lookup", "etag");
    /** Methods of those types that are no request to AWS. */
    private static final Set<String> NOT_REQUESTS = Set.of("close", "serviceName", "utilities", "waiter",
            "serviceClientConfiguration", "table", "index", "tableName", "indexName", "tableSchema", "mapperExtension",
            "builder", "create", "build", "keyFrom");

    /** Which table a class's DynamoDB calls act on: each store owns one; the deploy stores share the ReleasesTable. */
    private static final String DEPLOY_STORES = "dev/slipway/shared/deploy/store/dynamodb/";
    private static final Map<String, String> TABLE_OF = Map.ofEntries(
            Map.entry("dev/slipway/shared/audit/AuditLedger", "AuditTable"),
            Map.entry("dev/slipway/shared/audit/AuditExport", "AuditTable"),
            Map.entry("dev/slipway/shared/git/GitTable", "GitTable"),
            Map.entry("dev/slipway/shared/gitserver/GitSettingsStore", "GitTable"),
            Map.entry("dev/slipway/shared/apps/DynamoDbAppStore", "AppsTable"),
            Map.entry("dev/slipway/shared/auth/TokenStore", "AccessTable"),
            Map.entry("dev/slipway/shared/auth/FailedAuthLimit", "AccessTable"),
            Map.entry("dev/slipway/shared/auth/SessionStore", "AccessTable"),
            Map.entry("dev/slipway/shared/hooks/HookStore", "AccessTable"),
            Map.entry("dev/slipway/shared/github/SourceStore", "AccessTable"),
            Map.entry("dev/slipway/shared/idempotency/DynamoDbIdempotencyStore", "IdempotencyTable"),
            Map.entry("dev/slipway/shared/gitserver/Mirrors", "GitTable"),
            Map.entry("dev/slipway/shared/data/DataRecords", "DataTable"));
    private static final String SSM_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter";
    /** Which SSM parameters a class's calls act on (a sample name in each). */
    private static final Map<String, String> PARAMETER_OF = Map.of(
            "dev/slipway/shared/auth/AdminTokenHashSource", SSM_ARN + "${AdminTokenHashParameterName}",
            "dev/slipway/shared/env/SsmAppEnvironment", SSM_ARN + "/slipway/${AWS::StackName}/apps/shop/production/API_KEY",
            "dev/slipway/shared/gitserver/MirrorTokens", SSM_ARN + "/slipway/${AWS::StackName}/mirrors/shop",
            "dev/slipway/shared/data/link/DatabaseSecrets", SSM_ARN + "/slipway/${AWS::StackName}/databases/shop/backup-key",
            "dev/slipway/shared/data/postgres/ScratchServers", SSM_ARN + "${DataScratchUrlParameterName}");
    private static final String BUCKET = "${ArtifactsBucket.Arn}";
    private static final String OBJECT = BUCKET + "/*";

    private static SamTemplate template;
    private static Map<String, ClassInfo> classes;
    private static Map<String, Set<String>> subtypes;

    @BeforeAll
    static void read() throws Exception {
        Path root = EmbeddedEngines.repoRoot();
        template = SamTemplate.read(root.resolve("template.yaml"));
        classes = new HashMap<>();
        for (String module : List.of("shared", "functions/apps", "functions/imports", "functions/deploy", "functions/data")) {
            Path dir = root.resolve(module).resolve("target/classes");
            assertTrue(Files.isDirectory(dir), dir + " is not compiled");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        ClassInfo c = ClassInfo.read(in);
                        classes.put(c.name, c);
                    }
                }
            }
        }
        // JGit calls our DFS classes back (openFile, commitPack …): its own classes join the graph, so a
        // read-only path (no inserter ever created) does not reach the pack writes.
        Path jgit = Path.of(org.eclipse.jgit.lib.Repository.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(jgit.toFile())) {
            for (var e : java.util.Collections.list(jar.entries())) {
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        ClassInfo c = ClassInfo.read(in);
                        classes.put(c.name, c);
                    }
                }
            }
        }
        subtypes = new HashMap<>();
        for (ClassInfo c : classes.values()) {
            for (String s : c.supertypes()) {
                subtypes.computeIfAbsent(s, k -> new HashSet<>()).add(c.name);
            }
        }
    }

    /** An action on a resource (the resource as template.yaml writes it, e.g. ${AppsTable.Arn}). */
    record Need(String action, String resource) implements Comparable<Need> {
        @Override
        public int compareTo(Need o) {
            return (action + " " + resource).compareTo(o.action + " " + o.resource);
        }
    }

    private static final String PREVIEW_VALUE = SSM_ARN + "/slipway/${AWS::StackName}/apps/shop/previews/feature/DATABASE_URL";
    private static final String DATA_WORKFLOW = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-data";

    /**
     * Calls the analysis reaches although the function never makes them, each with why. Every entry must
     * still be reached (a stale one fails), and none may be granted (it would not be needed here).
     */
    private static final Map<String, Set<Need>> NEVER_MADE = Map.of(
            // CleanupHandler's constructor builds the router of POST /cleanup (tokens, Idempotency-Key) for
            // CleanupFunction; the schedule's entry point handleScheduled never enters it.
            "ScheduledCleanupFunction", Set.of(
                    new Need("ssm:GetParameter", SSM_ARN + "${AdminTokenHashParameterName}"),
                    new Need("dynamodb:GetItem", "${AccessTable.Arn}"),
                    new Need("dynamodb:UpdateItem", "${AccessTable.Arn}"),
                    new Need("dynamodb:GetItem", "${IdempotencyTable.Arn}"),
                    new Need("dynamodb:PutItem", "${IdempotencyTable.Arn}"),
                    new Need("dynamodb:DeleteItem", "${IdempotencyTable.Arn}")),
            // The worker's composition root builds the webhook's queue too (one GitHubSync); the worker never queues.
            "GitHubSyncFunction", Set.of(new Need("lambda:InvokeFunction", "${GitHubSyncFunction.Arn}")),
            // GitHubFunction's SsmAppEnvironment is SourceSecrets' store, under sources/ (granted); the analysis
            // names every SsmAppEnvironment call by the apps' environment path, which this function never touches.
            // It only queues pushes: the worker's removal of a deleted branch's preview (its servers, values and
            // database) is never made here.
            "GitHubFunction", Set.of(
                    new Need("ssm:PutParameter", SSM_ARN + "/slipway/${AWS::StackName}/apps/shop/production/API_KEY"),
                    new Need("ssm:DeleteParameters", SSM_ARN + "/slipway/${AWS::StackName}/apps/shop/production/API_KEY"),
                    new Need("ssm:GetParametersByPath", SSM_ARN + "/slipway/${AWS::StackName}/apps/shop/production"),
                    new Need("lambda:DeleteAlias", APP_FUNCTION),
                    new Need("lambda:DeleteFunctionUrlConfig", APP_FUNCTION),
                    new Need("lambda:ListAliases", APP_FUNCTION),
                    new Need("lambda:InvokeFunction", "${DataScheduleFunction.Alias}"),
                    new Need("ssm:DeleteParameters", PREVIEW_VALUE),
                    // nor does it publish a server, which asks whether the app's link is the stack database's
                    new Need("dynamodb:GetItem", "${DataTable.Arn}")),
            // The releases API builds the app servers for their logs only: it never publishes one (no stack database
            // variables either, so it never reads an app's link).
            "ReleasesFunction", Set.of(new Need("dynamodb:GetItem", "${DataTable.Arn}")),
            // Git pushes and deploy hooks build the previews service (deploys, creates), never its removal.
            "GitFunction", Set.of(new Need("lambda:InvokeFunction", "${DataScheduleFunction.Alias}"),
                    new Need("ssm:DeleteParameters", PREVIEW_VALUE)),
            "HooksFunction", Set.of(new Need("lambda:InvokeFunction", "${DataScheduleFunction.Alias}"),
                    new Need("ssm:DeleteParameters", PREVIEW_VALUE)),
            // The preview-policy routes and ApplyMigrations build PreviewDatabases with the backups service (restores of a
            // backup into a new preview database), whose workflow and scratch server they never use: only the data
            // workflow's steps do.
            "DatabaseFunction", Set.of(new Need("ssm:GetParameter", SSM_ARN + "${DataScratchUrlParameterName}"),
                    new Need("states:StartExecution", DATA_WORKFLOW)),
            "DeployMigrationsFunction", Set.of(new Need("states:StartExecution", DATA_WORKFLOW)));

    @Test
    void everySdkCallOfEveryFunctionIsGrantedOnItsResource() {
        Map<String, String> missing = new TreeMap<>();
        int functions = 0;
        for (SamTemplate.FunctionSpec f : template.functions()) {
            functions++;
            IamGrants grants = IamGrants.of(template, f.logicalId());
            Map<Need, String> needs = needsOf(f);
            for (Need n : NEVER_MADE.getOrDefault(f.logicalId(), Set.of())) {
                assertTrue(needs.containsKey(n), f.logicalId() + ": " + n + " is no longer reached; drop it from NEVER_MADE");
                assertFalse(granted(grants, n), f.logicalId() + " is granted " + n + ", which it never needs");
                needs.remove(n);
            }
            for (Map.Entry<Need, String> e : needs.entrySet()) {
                if (!granted(grants, e.getKey())) {
                    missing.put(f.logicalId() + ": " + e.getKey().action() + " on " + e.getKey().resource(), e.getValue());
                }
            }
        }
        assertTrue(functions >= 10);
        if (!missing.isEmpty()) {
            StringBuilder b = new StringBuilder("SDK calls their function's policy does not allow:\n");
            missing.forEach((k, v) -> b.append("  ").append(k).append("\n      (").append(v).append(")\n"));
            fail(b.toString());
        }
    }

    /**
     * Whether the need is allowed without a condition. An object in the artifacts bucket (the key is not
     * known statically) needs the action on some key prefix of that bucket; anything else on exactly
     * the resource (IAM wildcards in the grant).
     */
    static boolean granted(IamGrants grants, Need n) {
        if (CONDITIONAL_ACTIONS.contains(n.action())) {
            return grants.forAction(n.action()).stream().anyMatch(g -> g.conditional() && IamGrants.matches(g.resource(), n.resource()))
                    && !grants.allows(n.action(), n.resource());
        }
        if (n.resource().equals(OBJECT)) {
            return grants.forAction(n.action()).stream().anyMatch(g -> !g.conditional() && g.resource().startsWith(BUCKET + "/"));
        }
        return grants.allows(n.action(), n.resource());
    }

    /**
     * The long data jobs run outside Lambda (DataJobMain.main in CodeBuild, DataJobProject): every call their code can
     * make is allowed to the project's role, DataJobRole.
     */
    @Test
    void everySdkCallOfTheDataJobIsGrantedToItsRole() {
        Map<Need, String> needs = needsOf("dev/slipway/functions/data/DataJobMain", "main");
        assertTrue(needs.containsKey(new Need("s3:PutObject", OBJECT)), "a backup writes its object: " + needs.keySet());
        assertTrue(needs.containsKey(new Need("dynamodb:PutItem", "${DataTable.Arn}")), "a job records its outcome");
        IamGrants grants = IamGrants.ofRole(template, "DataJobRole");
        Map<String, String> missing = new TreeMap<>();
        needs.forEach((n, call) -> {
            if (!granted(grants, n)) {
                missing.put(n.action() + " on " + n.resource(), call);
            }
        });
        assertEquals(Map.of(), missing, "SDK calls of the data job that DataJobRole does not allow");
    }

    /** The reach is real: calls known to happen are found, and a function that makes no AWS call has none. */
    @Test
    void theCallGraphFindsKnownCallsAndNoMore() {
        Map<String, Map<Need, String>> byFunction = new LinkedHashMap<>();
        template.functions().forEach(f -> byFunction.put(f.logicalId(), needsOf(f)));
        assertEquals(Map.of(), byFunction.get("HealthFunction"), "GET /health makes no AWS call");
        assertTrue(byFunction.get("DeploymentsFunction").containsKey(new Need("states:StartExecution", "${DeployStateMachine}")));
        assertTrue(byFunction.get("DeploymentsFunction").containsKey(new Need("s3:DeleteObject", OBJECT)),
                "the read-time reconciliation (FailedDeployments.cleanUp) deletes objects");
        assertTrue(byFunction.get("AppsFunction").containsKey(new Need("ssm:GetParameter", SSM_ARN + "${AdminTokenHashParameterName}")));
        assertTrue(byFunction.get("CleanupFunction").containsKey(new Need("dynamodb:Query", "${ReleasesTable.Arn}/index/DueIndex")));
        assertTrue(byFunction.get("ImportsFunction").containsKey(new Need("dynamodb:PutItem", "${GitTable.Arn}")));
        assertTrue(byFunction.get("ReleasesFunction").containsKey(new Need("s3:PutObject", OBJECT)), "presigned PUTs act as the role");
        assertTrue(byFunction.get("ProductionFunction").containsKey(new Need("cloudfront-keyvaluestore:PutKey", "${EdgeRoutes.Arn}")),
                "a rollback points the edge (KeyValueStoreRouter, signed HTTP)");
        assertTrue(byFunction.get("ProductionFunction").containsKey(new Need("lambda:GetAlias", APP_FUNCTION)),
                "a rollback to a full-stack release finds its server's alias (ServerRouting)");
        assertTrue(byFunction.get("ProductionFunction").containsKey(new Need("iam:PassRole", APP_ROLE)),
                "making an app's function passes its role");
        // Precision: a read-only function reaches no writes (but the access table's counters: failed
        // authentications and a token's last use).
        assertFalse(byFunction.get("CommitsFunction").keySet().stream().filter(n -> !n.resource().equals("${AccessTable.Arn}")).anyMatch(n -> n.action().matches(
                "dynamodb:(PutItem|DeleteItem|UpdateItem)|s3:(PutObject|DeleteObject)")), String.valueOf(byFunction.get("CommitsFunction")));
    }

    /** What a function's code path needs: action on resource → one SDK call that needs it (for the failure message). */
    private static Map<Need, String> needsOf(SamTemplate.FunctionSpec f) {
        return needsOf(f.handlerClass().replace('.', '/'), f.handlerMethod());
    }

    /** What the code path from a class's constructors and its method {@code entry} needs. */
    private static Map<Need, String> needsOf(String handler, String entry) {
        assertTrue(classes.containsKey(handler), "no compiled class for " + handler);
        Graph g = new Graph();
        g.instantiate(handler); // Lambda creates it (its constructors), then calls the method template.yaml names
        for (MethodInfo m : classes.get(handler).methods.values()) {
            if (m.name.equals("<init>") || m.name.equals(entry)) {
                g.reach(m);
            }
        }
        g.run();
        Map<Need, String> needs = new TreeMap<>();
        for (SdkCall c : g.sdkCalls) {
            for (Need n : needs(c)) {
                needs.putIfAbsent(n, c.toString());
            }
        }
        return needs;
    }

    /** One SDK call site: the operation (method of the SDK type) and the class that makes it. */
    record SdkCall(String owner, String method, String caller, String callerMethod) {
        /** The class a lambda or inner class belongs to. */
        String topCaller() {
            int dollar = caller.indexOf('$');
            return dollar < 0 ? caller : caller.substring(0, dollar);
        }

        @Override
        public String toString() {
            return owner.substring(owner.lastIndexOf('/') + 1) + "." + method + " in " + caller.replace('/', '.') + "." + callerMethod;
        }
    }

    /** The IAM action(s) and resource an SDK call needs. */
    static List<Need> needs(SdkCall c) {
        String op = c.method().replaceFirst("Paginator$", "");
        return switch (c.owner()) {
            case S3 -> switch (op) {
                case "getObject", "getObjectAsBytes", "headObject" -> List.of(new Need("s3:GetObject", OBJECT));
                case "putObject", "createMultipartUpload", "uploadPart", "completeMultipartUpload" -> List.of(new Need("s3:PutObject", OBJECT));
                case "copyObject" -> List.of(new Need("s3:GetObject", OBJECT), new Need("s3:PutObject", OBJECT));
                case "deleteObject", "deleteObjects" -> List.of(new Need("s3:DeleteObject", OBJECT));
                case "listObjectsV2", "listObjects" -> List.of(new Need("s3:ListBucket", BUCKET));
                case "abortMultipartUpload" -> List.of(new Need("s3:AbortMultipartUpload", OBJECT));
                case "listMultipartUploads" -> List.of(new Need("s3:ListBucketMultipartUploads", BUCKET));
                default -> throw unmapped(c);
            };
            // A presigned request is signed with the role's credentials: the role needs the action.
            case PRESIGNER -> switch (op) {
                case "presignPutObject" -> List.of(new Need("s3:PutObject", OBJECT));
                case "presignGetObject" -> List.of(new Need("s3:GetObject", OBJECT));
                default -> throw unmapped(c);
            };
            case SSM -> {
                String parameter = PARAMETER_OF.get(c.topCaller());
                if (c.topCaller().endsWith("/SsmAppEnvironment") && c.callerMethod().contains("reviewValues")) {
                    parameter = PREVIEW_VALUE; // a preview's own values (its database's URL) sit below the app's, by preview
                }
                if (parameter == null) {
                    throw new AssertionError("which SSM parameters does " + c.topCaller() + " use? Add it to PARAMETER_OF (" + c + ")");
                }
                yield switch (op) {
                    case "getParameter", "getParameters", "getParametersByPath", "putParameter", "deleteParameter", "deleteParameters" ->
                            List.of(new Need("ssm:" + capital(op), op.equals("getParametersByPath") ? parameter.substring(0, parameter.lastIndexOf('/')) : parameter));
                    default -> throw unmapped(c);
                };
            }
            case SFN -> switch (op) {
                case "startExecution" -> List.of(new Need("states:StartExecution", c.topCaller().startsWith("dev/slipway/functions/data/")
                        ? "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-data"
                        : "${DeployStateMachine}"));
                case "describeExecution" -> List.of(new Need("states:DescribeExecution",
                        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${AWS::StackName}-deploy:01deployment"));
                default -> throw unmapped(c);
            };
            case KVS -> switch (op) {
                case "describeKeyValueStore", "getKey", "putKey", "deleteKey", "updateKeys", "listKeys" ->
                        List.of(new Need("cloudfront-keyvaluestore:" + capital(op), "${EdgeRoutes.Arn}"));
                default -> throw unmapped(c);
            };
            case KVS_ROUTER -> switch (op) {
                case "point" -> List.of(new Need("cloudfront-keyvaluestore:PutKey", "${EdgeRoutes.Arn}"));
                case "remove" -> List.of(new Need("cloudfront-keyvaluestore:DeleteKey", "${EdgeRoutes.Arn}"));
                case "lookup" -> List.of(new Need("cloudfront-keyvaluestore:GetKey", "${EdgeRoutes.Arn}"));
                case "etag" -> List.of(new Need("cloudfront-keyvaluestore:DescribeKeyValueStore", "${EdgeRoutes.Arn}"));
                default -> throw unmapped(c);
            };
            case TABLE, DDB -> switch (op) {
                case "getItem", "putItem", "deleteItem", "updateItem", "query", "scan", "batchGetItem", "batchWriteItem" ->
                        List.of(new Need("dynamodb:" + capital(op), table(c)));
                default -> throw unmapped(c);
            };
            case INDEX -> switch (op) {
                // The one index: ReleasesTable's DueIndex.
                case "query", "scan" -> List.of(new Need("dynamodb:" + capital(op), table(c) + "/index/DueIndex"));
                default -> throw unmapped(c);
            };
            case ENHANCED -> switch (op) {
                case "batchGetItem", "batchWriteItem" -> List.of(new Need("dynamodb:" + capital(op), table(c)));
                // IAM checks each item of a transaction as its own action (the add* calls below).
                case "transactWriteItems" -> List.of();
                default -> throw unmapped(c);
            };
            case TX -> switch (op) {
                case "addPutItem" -> List.of(new Need("dynamodb:PutItem", table(c)));
                case "addDeleteItem" -> List.of(new Need("dynamodb:DeleteItem", table(c)));
                case "addUpdateItem" -> List.of(new Need("dynamodb:UpdateItem", table(c)));
                case "addConditionCheck" -> List.of(new Need("dynamodb:ConditionCheckItem", table(c)));
                default -> throw unmapped(c);
            };
            case LAMBDA -> switch (op) {
                // Naming the role passes it: Lambda checks iam:PassRole of the caller.
                case "createFunction", "updateFunctionConfiguration" -> java.util.stream.Stream.concat(Stream.of(
                        new Need("lambda:" + capital(op), APP_FUNCTION), new Need("iam:PassRole", APP_ROLE)), VPC_CONFIG_NEEDS.stream()).toList();
                case "getFunction", "getFunctionConfiguration", "updateFunctionCode", "publishVersion", "deleteFunction",
                     "getAlias", "createAlias", "deleteAlias", "getFunctionUrlConfig", "createFunctionUrlConfig",
                     "deleteFunctionUrlConfig", "addPermission", "tagResource", "listAliases" -> List.of(new Need("lambda:" + capital(op), APP_FUNCTION));
                // A removed preview's database is dropped by the data schedule function, invoked at once (asynchronously).
                case "invoke" -> c.callerMethod().contains("previewTeardown")
                        ? List.of(new Need("lambda:InvokeFunction", "${DataScheduleFunction.Alias}"))
                        // the other Invoke: the GitHub webhook queues a push for its worker (an asynchronous invocation)
                        : List.of(new Need("lambda:InvokeFunction", "${GitHubSyncFunction.Arn}"));
                default -> throw unmapped(c);
            };
            case IAM -> switch (op) {
                case "getRole", "createRole", "putRolePolicy" -> List.of(new Need("iam:" + capital(op), APP_ROLE));
                default -> throw unmapped(c);
            };
            case LOGS -> switch (op) {
                case "describeLogStreams", "filterLogEvents" -> List.of(new Need("logs:" + capital(op), APP_LOG_GROUP));
                default -> throw unmapped(c);
            };
            default -> throw unmapped(c);
        };
    }

    private static String table(SdkCall c) {
        String table = c.topCaller().startsWith(DEPLOY_STORES) ? "ReleasesTable" : TABLE_OF.get(c.topCaller());
        if (table == null) {
            throw new AssertionError("which table does " + c.topCaller() + " use? Add it to TABLE_OF (" + c + ")");
        }
        return "${" + table + ".Arn}";
    }

    private static AssertionError unmapped(SdkCall c) {
        return new AssertionError("no IAM action known for " + c + ": add the operation to SdkCallsAreGrantedTest.needs");
    }

    private static String capital(String op) {
        return Character.toUpperCase(op.charAt(0)) + op.substring(1);
    }

    // ---- the call graph

    /**
     * Methods reached from a function's handler, and the SDK calls among their instructions. Virtual and
     * interface calls go to the classes the reached code instantiates (rapid type analysis): a store
     * another function creates is not reached through the interface both implement.
     */
    private static final class Graph {
        final Set<MethodInfo> reached = new HashSet<>();
        final Deque<MethodInfo> work = new ArrayDeque<>();
        final Set<String> initialised = new HashSet<>();
        final Set<String> instantiated = new HashSet<>();
        /** owner → method keys called virtually on it so far */
        final Map<String, Set<String>> virtualSites = new HashMap<>();
        final List<SdkCall> sdkCalls = new ArrayList<>();

        void reach(MethodInfo m) {
            if (m != null && reached.add(m)) {
                work.add(m);
            }
        }

        void run() {
            while (!work.isEmpty()) {
                MethodInfo m = work.poll();
                initialise(m.owner);
                if (m.owner.equals(KVS_ROUTER) && KVS_ROUTER_OPERATIONS.contains(m.name)) {
                    sdkCalls.add(new SdkCall(KVS_ROUTER, m.name, m.owner, m.name));
                }
                for (Call c : m.calls) {
                    if (SDK_OWNERS.contains(c.owner)) {
                        if (!NOT_REQUESTS.contains(c.name)) {
                            sdkCalls.add(new SdkCall(c.owner, c.name, m.owner, m.name));
                        }
                    } else {
                        call(c.owner, c.name + c.desc, c.opcode == Opcodes.INVOKEVIRTUAL || c.opcode == Opcodes.INVOKEINTERFACE);
                    }
                }
                for (Handle h : m.handles) {
                    if (SDK_OWNERS.contains(h.getOwner())) {
                        if (!NOT_REQUESTS.contains(h.getName())) {
                            sdkCalls.add(new SdkCall(h.getOwner(), h.getName(), m.owner, m.name));
                        }
                    } else {
                        if (h.getTag() == Opcodes.H_NEWINVOKESPECIAL) {
                            instantiate(h.getOwner());
                        }
                        call(h.getOwner(), h.getName() + h.getDesc(),
                                h.getTag() == Opcodes.H_INVOKEVIRTUAL || h.getTag() == Opcodes.H_INVOKEINTERFACE);
                    }
                }
                m.news.forEach(this::instantiate);
                m.statics.forEach(this::initialise);
            }
        }

        void initialise(String type) {
            ClassInfo c = classes.get(type);
            if (c != null && initialised.add(type)) {
                reach(c.methods.get("<clinit>()V"));
                if (c.superName != null) {
                    initialise(c.superName);
                }
            }
        }

        void instantiate(String type) {
            ClassInfo c = classes.get(type);
            if (c == null || !instantiated.add(type)) {
                return;
            }
            initialise(type);
            // calls already made on one of its types now reach it too
            List<String> types = new ArrayList<>(allSupertypes(type));
            types.add(type);
            for (String t : types) {
                for (String key : List.copyOf(virtualSites.getOrDefault(t, Set.of()))) {
                    reach(resolve(type, key));
                }
            }
            // a library outside the graph (the JDK, the SDK) may call what it declares
            for (String key : libraryMethods(c)) {
                MethodInfo m = resolve(type, key);
                if (m != null && (m.access & Opcodes.ACC_STATIC) == 0) {
                    reach(m);
                }
            }
        }

        void call(String owner, String key, boolean virtual) {
            if (!classes.containsKey(owner)) {
                return;
            }
            if (!virtual) {
                reach(resolve(owner, key));
                return;
            }
            virtualSites.computeIfAbsent(owner, k -> new HashSet<>()).add(key);
            Set<String> candidates = new HashSet<>(allSubtypes(owner));
            candidates.add(owner);
            for (String c : candidates) {
                if (instantiated.contains(c)) {
                    reach(resolve(c, key));
                }
            }
        }

        /** The method a call of {@code key} on an object of {@code type} runs: up the superclasses, then interface defaults. */
        MethodInfo resolve(String type, String key) {
            for (String c = type; c != null && classes.containsKey(c); c = classes.get(c).superName) {
                MethodInfo m = classes.get(c).methods.get(key);
                if (m != null && (m.access & Opcodes.ACC_ABSTRACT) == 0) {
                    return m;
                }
            }
            for (String i : allSupertypes(type)) {
                ClassInfo ci = classes.get(i);
                MethodInfo m = ci == null ? null : ci.methods.get(key);
                if (m != null && (m.access & Opcodes.ACC_ABSTRACT) == 0) {
                    return m;
                }
            }
            return null;
        }
    }

    private static final Map<String, Set<String>> LIBRARY_METHODS = new HashMap<>();

    /** Method keys (name + descriptor) that the class's supertypes outside the graph declare (Object's aside). */
    private static Set<String> libraryMethods(ClassInfo c) {
        Set<String> keys = new HashSet<>();
        for (String s : allSupertypes(c.name)) {
            if (classes.containsKey(s) || Set.of("java/lang/Object", "java/lang/Record", "java/lang/Enum").contains(s)) {
                continue;
            }
            keys.addAll(LIBRARY_METHODS.computeIfAbsent(s, SdkCallsAreGrantedTest::declaredMethods));
        }
        return keys;
    }

    private static Set<String> declaredMethods(String internalName) {
        Set<String> keys = new HashSet<>();
        try {
            Class<?> type = Class.forName(internalName.replace('/', '.'), false, SdkCallsAreGrantedTest.class.getClassLoader());
            for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
                for (java.lang.reflect.Method m : t.getDeclaredMethods()) {
                    keys.add(m.getName() + org.objectweb.asm.Type.getMethodDescriptor(m));
                }
            }
            for (java.lang.reflect.Method m : type.getMethods()) {
                keys.add(m.getName() + org.objectweb.asm.Type.getMethodDescriptor(m));
            }
        } catch (ClassNotFoundException | LinkageError e) {
            throw new AssertionError("cannot load " + internalName + " to see what it declares", e);
        }
        return keys;
    }

    private static Set<String> allSupertypes(String type) {
        Set<String> out = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(type));
        while (!todo.isEmpty()) {
            ClassInfo c = classes.get(todo.poll());
            if (c == null) {
                continue;
            }
            for (String s : c.supertypes()) {
                if (out.add(s)) {
                    todo.add(s);
                }
            }
        }
        return out;
    }

    private static Set<String> allSubtypes(String type) {
        Set<String> out = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(type));
        while (!todo.isEmpty()) {
            for (String s : subtypes.getOrDefault(todo.poll(), Set.of())) {
                if (out.add(s)) {
                    todo.add(s);
                }
            }
        }
        return out;
    }

    // ---- the class files

    private record Call(int opcode, String owner, String name, String desc) {
    }

    private static final class MethodInfo {
        final String owner;
        final String name;
        final String desc;
        final int access;
        final List<Call> calls = new ArrayList<>();
        final List<Handle> handles = new ArrayList<>();
        final Set<String> news = new HashSet<>();
        final Set<String> statics = new HashSet<>();

        MethodInfo(String owner, String name, String desc, int access) {
            this.owner = owner;
            this.name = name;
            this.desc = desc;
            this.access = access;
        }
    }

    private static final class ClassInfo {
        String name;
        String superName;
        String[] interfaces;
        final Map<String, MethodInfo> methods = new HashMap<>();

        List<String> supertypes() {
            List<String> out = new ArrayList<>();
            if (superName != null) {
                out.add(superName);
            }
            out.addAll(List.of(interfaces));
            return out;
        }

        static ClassInfo read(InputStream in) throws IOException {
            ClassInfo c = new ClassInfo();
            new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                    c.name = name;
                    c.superName = superName;
                    c.interfaces = interfaces == null ? new String[0] : interfaces;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    MethodInfo m = new MethodInfo(c.name, name, descriptor, access);
                    c.methods.put(name + descriptor, m);
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                            m.calls.add(new Call(opcode, owner, n, d));
                        }

                        @Override
                        public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                            for (Object a : args) {
                                if (a instanceof Handle h) {
                                    m.handles.add(h);
                                }
                            }
                        }

                        @Override
                        public void visitTypeInsn(int opcode, String type) {
                            if (opcode == Opcodes.NEW) {
                                m.news.add(type);
                            }
                        }

                        @Override
                        public void visitFieldInsn(int opcode, String owner, String n, String d) {
                            if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC) {
                                m.statics.add(owner);
                            }
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            return c;
        }
    }
}
