package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.local.stepfunctions.LambdaInvokeEndpoint;
import dev.slipway.local.stepfunctions.LocalTask;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.deploy.TransientStepException;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection into the deploy workflow as `slipway up` runs it: the real ASL on the local Step
 * Functions engine, the real DeploySteps handler, a real npm build, DynamoDB Local, S3 and the edge.
 * The registered Lambda tasks (the deploy steps and the local build) are wrapped by a test
 * {@link LocalTask} that, for the chosen state, fails once (before or after doing its work, i.e. an
 * invocation that never ran or whose answer was lost), fails every time (transient until the Retry
 * is exhausted, or permanently), or delivers the task twice. Whatever happens, a deployment ends
 * SUCCEEDED serving its release, or FAILED with a reason, production untouched and nothing of the
 * failed release left behind.
 *
 * <p>The Vite app is built once cold; later builds hit the warm dependency cache, and deploys whose
 * point is not the build reuse a READY release (same tree, no build).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployFaultInjectionTest {
    /** Retry intervals at 1/100: a step's retries run out in well under a second. */
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.01).build();
    private static final AdminApi api = slipway.api();
    private static LocalRuntime runtime;
    private static final String APP = "faulty";
    private static final String STEPS_TASK = "DeployStepsFunction";
    /** The state's own Retry: 1 call + MaxAttempts. */
    private static final int LAMBDA_CALLS_WHEN_EXHAUSTED = 1 + 5;
    private static final int BUILD_CALLS_WHEN_EXHAUSTED = 1 + 3;

    private static final Faults FAULTS = new Faults();
    private static SfnClient sfn;
    private static S3Client s3;
    private static DynamoDbClient ddb;
    private static DeployStores store;
    private static AuditLedger ledger;
    private static ReleaseFiles files;
    private static String bucket;
    private static String executionPrefix;

    /** What each release serves at "/", recorded when it is first production. */
    private static final Map<String, byte[]> INDEX = new HashMap<>();
    /** READY releases by the headline they were built from. */
    private static final Map<String, String> RELEASE_OF = new HashMap<>();
    private static int succeeded;
    private static int failed;

    enum Kind {
        /** The first invocation fails before the task runs (not delivered); the retry runs it. */
        ONCE_BEFORE,
        /** The first invocation is throttled by Lambda itself ({@code Lambda.TooManyRequestsException}). */
        THROTTLED_ONCE,
        /** The first invocation runs the task, then its answer is lost (transient error); the retry runs it again. */
        ONCE_AFTER,
        /** Every invocation fails transiently before the task runs, until the Retry gives up. */
        TRANSIENT_BEFORE,
        /** Every invocation runs the task, then fails transiently: work done, answer never received. */
        TRANSIENT_AFTER,
        /** Fails for good, before the task runs (no retry). */
        PERMANENT,
        /** Runs the task, then fails for good (partial work left for MarkFailed to clean up). */
        PERMANENT_AFTER,
        /** Delivered twice in a row with the same input; the second answer is returned. */
        TWICE,
        /**
         * Build only: no npm run; the output of an earlier real build is uploaded as this build's
         * output (for failures after the build, where what was built does not matter).
         */
        REPLAY
    }

    /** Which states misbehave now, and how often each was invoked. Keyed by state name ("Build" for the build). */
    static final class Faults {
        final Map<String, Kind> active = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        /** output.zip of the last real build. */
        volatile byte[] lastOutput;

        void reset(Map<String, Kind> next) {
            active.clear();
            calls.clear();
            active.putAll(next);
        }

        int calls(String state) {
            AtomicInteger n = calls.get(state);
            return n == null ? 0 : n.get();
        }

        LocalTask wrap(LocalTask delegate, boolean build) {
            return input -> {
                String state = build ? "Build" : input.path("step").asText();
                int n = calls.computeIfAbsent(state, k -> new AtomicInteger()).incrementAndGet();
                Kind kind = active.get(state);
                if (kind == null) {
                    return build ? keepOutput(input, delegate.invoke(input)) : delegate.invoke(input);
                }
                switch (kind) {
                    case THROTTLED_ONCE -> {
                        if (n == 1) {
                            throw new LocalTask.Failure("Lambda.TooManyRequestsException", "injected: Rate Exceeded.");
                        }
                        return delegate.invoke(input);
                    }
                    case REPLAY -> {
                        byte[] zip = lastOutput;
                        assertNotNull(zip, "no real build to replay yet");
                        s3.putObject(b -> b.bucket(bucket).key(outputKey(input)),
                                software.amazon.awssdk.core.sync.RequestBody.fromBytes(zip));
                        var out = Json.object();
                        out.putObject("Build").put("Id", "replay").put("BuildStatus", "SUCCEEDED");
                        return out;
                    }
                    case ONCE_BEFORE -> {
                        if (n == 1) {
                            throw transientError(state, build);
                        }
                        return delegate.invoke(input);
                    }
                    case ONCE_AFTER -> {
                        JsonNode out = delegate.invoke(input);
                        if (n == 1) {
                            throw transientError(state, build);
                        }
                        return out;
                    }
                    case TRANSIENT_BEFORE -> throw transientError(state, build);
                    case TRANSIENT_AFTER -> {
                        delegate.invoke(input);
                        throw transientError(state, build);
                    }
                    case PERMANENT -> throw permanentError(state, build);
                    case PERMANENT_AFTER -> {
                        delegate.invoke(input);
                        throw permanentError(state, build);
                    }
                    case TWICE -> {
                        delegate.invoke(input);
                        return delegate.invoke(input);
                    }
                    default -> throw new IllegalStateException(kind.name());
                }
            };
        }

        private JsonNode keepOutput(JsonNode input, JsonNode result) {
            lastOutput = s3.getObjectAsBytes(b -> b.bucket(bucket).key(outputKey(input))).asByteArray();
            return result;
        }

        /** Where the build's output URL points: the deployment's output.zip. */
        private static String outputKey(JsonNode input) {
            return SiteKeys.output(buildVar(input, "SLIPWAY_APP_ID"), buildVar(input, "SLIPWAY_DEPLOYMENT_ID"));
        }

        private static String buildVar(JsonNode input, String name) {
            for (JsonNode v : input.path("EnvironmentVariablesOverride")) {
                if (v.path("Name").asText().equals(name)) {
                    return v.path("Value").asText();
                }
            }
            throw new AssertionError("the build was started without " + name);
        }

        private static RuntimeException transientError(String state, boolean build) {
            // CodeBuild's own retryable error names for the build; the class the ASL retries for Lambda steps.
            return build ? new LocalTask.Failure("CodeBuild.AWSCodeBuildException", "injected: StartBuild throttled")
                    : new TransientStepException("injected transient failure in " + state);
        }

        private static RuntimeException permanentError(String state, boolean build) {
            return build ? new LocalTask.Failure("States.TaskFailed", "injected: the build ended FAILED")
                    : new StepFailedException("injected permanent failure in " + state);
        }
    }

    record Run(String id, Deployment deployment, ExecutionStatus execution) {
    }

    /** Production as a visitor sees it, before a failing deployment. */
    record Production(String releaseId, long aliasVersion, byte[] index, byte[] bundle) {
    }

    @BeforeAll
    static void up() throws Exception {
        runtime = slipway.runtime();
        LambdaInvokeEndpoint lambda = runtime.lambdaEndpoint();
        lambda.register(STEPS_TASK, FAULTS.wrap(lambda.task(STEPS_TASK), false));
        lambda.register(LocalRuntime.LOCAL_BUILD_TASK, FAULTS.wrap(lambda.task(LocalRuntime.LOCAL_BUILD_TASK), true));

        s3 = slipway.s3();
        ddb = slipway.dynamo();
        sfn = SfnClient.builder().region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                .endpointOverride(runtime.stepFunctions().endpoint()).httpClient(ApacheHttpClient.builder().build()).build();
        LocalNames names = new LocalNames();
        var enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
        ledger = new AuditLedger(enhanced, names.physicalName("AuditTable", SamTemplate.TABLE));
        store = DynamoDbDeployStores.of(enhanced, names.physicalName("ReleasesTable", SamTemplate.TABLE), ledger);
        bucket = names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
        files = new ReleaseFiles(s3, bucket);
        String machine = runtime.functions().environment("DeploymentsFunction").get("DEPLOY_STATE_MACHINE_ARN");
        executionPrefix = machine.replace(":stateMachine:", ":execution:") + ":";
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Faulty\"}").statusCode());
    }

    @AfterAll
    static void down() {
        if (sfn != null) {
            sfn.close();
        }
    }

    // ---- a fault-free baseline (the one cold build)

    @Test
    @Order(1)
    void baselineDeployBuildsTheApp() throws Exception {
        importApp("v1");
        Run r = deploy(Map.of());
        assertSucceeded(r, "v1");
        assertFalse(Boolean.TRUE.equals(r.deployment().reusedRelease()));
    }

    // ---- each task state fails once: the Retry recovers and production serves the new release

    @Test
    @Order(2)
    void exportSourceFailingOnceIsRetried() throws Exception {
        importApp("v2");
        Run r = deploy(Map.of("ExportSource", Kind.ONCE_AFTER));
        assertSucceeded(r, "v2");
        assertEquals(2, FAULTS.calls("ExportSource"));
        assertAttempts(r, "ExportSource", 2);
        assertEquals(null, step(r, "Build").attempts(), "one build ran: a redelivered ExportSource is not a build attempt");
    }

    @Test
    @Order(3)
    void buildFailingOnceWithARetryableCodeBuildErrorIsRetried() throws Exception {
        importApp("v3");
        Run r = deploy(Map.of("Build", Kind.ONCE_BEFORE));
        assertSucceeded(r, "v3");
        assertEquals(2, FAULTS.calls("Build"));
    }

    @Test
    @Order(4)
    void stageReleaseFailingOnceIsRetried() throws Exception {
        importApp("v4");
        Run r = deploy(Map.of("StageRelease", Kind.ONCE_AFTER));
        assertSucceeded(r, "v4");
        assertEquals(2, FAULTS.calls("StageRelease"));
        assertAttempts(r, "StageRelease", 2);
    }

    @Test
    @Order(5)
    void verifyReleaseFailingOnceIsRetried() throws Exception {
        importApp("v5");
        Run r = deploy(Map.of("VerifyRelease", Kind.ONCE_AFTER));
        assertSucceeded(r, "v5");
        assertEquals(2, FAULTS.calls("VerifyRelease"));
        assertAttempts(r, "VerifyRelease", 2);
        assertEquals(1, events("release.ready", "release/" + r.deployment().releaseId()), "READY once, not per attempt");
    }

    @Test
    @Order(6)
    void resolveRefFailingOnceIsRetried() throws Exception {
        importApp("v1"); // the tree of a READY release that is not production: reused, no build
        Run r = deploy(Map.of("ResolveRef", Kind.ONCE_AFTER));
        assertSucceeded(r, "v1");
        assertTrue(r.deployment().reusedRelease(), r.toString());
        assertEquals(2, FAULTS.calls("ResolveRef"));
        assertAttempts(r, "ResolveRef", 2);
    }

    @Test
    @Order(7)
    void findReusableReleaseFailingOnceIsRetried() throws Exception {
        importApp("v2");
        Run r = deploy(Map.of("FindReusableRelease", Kind.ONCE_AFTER));
        assertSucceeded(r, "v2");
        assertTrue(r.deployment().reusedRelease(), r.toString());
        assertEquals(2, FAULTS.calls("FindReusableRelease"));
        assertAttempts(r, "FindReusableRelease", 2);
    }

    @Test
    @Order(8)
    void promoteReleaseFailingOnceIsRetried() throws Exception {
        importApp("v3");
        Run r = deploy(Map.of("PromoteRelease", Kind.ONCE_AFTER));
        assertSucceeded(r, "v3");
        assertEquals(2, FAULTS.calls("PromoteRelease"));
        // The first attempt promoted (its answer was lost); the retry finds the deployment finished
        // and does not move production a second time.
        assertEquals(1, events("alias.moved", r.id()));
    }

    @Test
    @Order(9)
    void promoteReleaseThrottledOnceByLambdaIsRetried() throws Exception {
        importApp("v4");
        Run r = deploy(Map.of("PromoteRelease", Kind.THROTTLED_ONCE));
        assertSucceeded(r, "v4");
        assertEquals(2, FAULTS.calls("PromoteRelease"));
    }

    @Test
    @Order(10)
    void stageVerifyAndPromoteDeliveredTwiceAreIdempotent() throws Exception {
        importApp("v6");
        Run r = deploy(Map.of("StageRelease", Kind.TWICE, "VerifyRelease", Kind.TWICE, "PromoteRelease", Kind.TWICE));
        assertSucceeded(r, "v6");
        String release = r.deployment().releaseId();
        assertEquals(1, FAULTS.calls("StageRelease"));
        assertEquals(1, events("release.ready", "release/" + release));
        assertEquals(1, events("alias.moved", r.id()));
        Manifest m = files.manifest(APP, release).orElseThrow();
        assertEquals(List.of(), files.verify(m));
        Release rec = store.releases().get(APP, release).orElseThrow();
        assertEquals(m.files().size(), rec.fileCount());
        assertEquals(store.aliases().get(APP, Alias.PRODUCTION).orElseThrow().version(), succeeded, "one alias version per deployment");
    }

    // ---- failures: production keeps serving, nothing of the failed release is left

    @Test
    @Order(11)
    void resolveRefFailingTransientlyUntilRetriesAreExhausted() throws Exception {
        importApp("v7"); // never built
        Production before = production();
        Run r = deploy(Map.of("ResolveRef", Kind.TRANSIENT_AFTER));
        assertFailedCleanly(r, before, "injected transient failure in ResolveRef", false);
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("ResolveRef"));
    }

    @Test
    @Order(12)
    void resolveRefFailingPermanentlyAndMarkFailedFailingOnce() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("ResolveRef", Kind.PERMANENT, "MarkFailed", Kind.ONCE_AFTER));
        assertFailedCleanly(r, before, "injected permanent failure in ResolveRef", false);
        assertEquals(1, FAULTS.calls("ResolveRef"), "a permanent failure is not retried");
        assertEquals(2, FAULTS.calls("MarkFailed"));
    }

    @Test
    @Order(13)
    void findReusableReleaseFailingPermanentlyAndMarkFailedFailingOnceBeforeItRuns() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("FindReusableRelease", Kind.PERMANENT, "MarkFailed", Kind.ONCE_BEFORE));
        assertFailedCleanly(r, before, "injected permanent failure in FindReusableRelease", false);
        assertEquals(1, FAULTS.calls("FindReusableRelease"));
        assertEquals(2, FAULTS.calls("MarkFailed"));
    }

    @Test
    @Order(14)
    void findReusableReleaseFailingTransientlyLeavesTheReusedReleaseAlone() throws Exception {
        importApp("v1"); // reuses R(v1), which is not production: the failure must not touch it
        Production before = production();
        Run r = deploy(Map.of("FindReusableRelease", Kind.TRANSIENT_AFTER));
        assertFailedCleanly(r, before, "injected transient failure in FindReusableRelease", true);
        assertEquals(RELEASE_OF.get("v1"), r.deployment().releaseId());
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("FindReusableRelease"));
    }

    @Test
    @Order(15)
    void exportSourceFailingTransientlyUntilRetriesAreExhausted() throws Exception {
        importApp("v7");
        Production before = production();
        Run r = deploy(Map.of("ExportSource", Kind.TRANSIENT_AFTER));
        assertFailedCleanly(r, before, "injected transient failure in ExportSource", false);
        assertNotNull(r.deployment().releaseId(), "ExportSource fixed the release id");
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("ExportSource"));
    }

    @Test
    @Order(16)
    void exportSourceFailingPermanently() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("ExportSource", Kind.PERMANENT));
        assertFailedCleanly(r, before, "injected permanent failure in ExportSource", false);
        assertEquals(1, FAULTS.calls("ExportSource"));
    }

    @Test
    @Order(17)
    void buildFailingTransientlyUntilRetriesAreExhausted() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("Build", Kind.TRANSIENT_BEFORE));
        assertFailedCleanly(r, before, "StartBuild throttled", false);
        assertEquals(BUILD_CALLS_WHEN_EXHAUSTED, FAULTS.calls("Build"));
        assertTrue(step(r, "Build").outcome().startsWith("failed"), r.toString());
    }

    @Test
    @Order(18)
    void buildFailingPermanently() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("Build", Kind.PERMANENT));
        assertFailedCleanly(r, before, "the build ended FAILED", false);
        assertEquals(1, FAULTS.calls("Build"));
    }

    @Test
    @Order(19)
    void stageReleaseFailingTransientlyAfterStagingFiles() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("StageRelease", Kind.TRANSIENT_AFTER, "Build", Kind.REPLAY));
        assertFailedCleanly(r, before, "injected transient failure in StageRelease", false);
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("StageRelease"));
        assertEquals(ReleaseStatus.FAILED, store.releases().get(APP, r.deployment().releaseId()).orElseThrow().status());
    }

    @Test
    @Order(20)
    void stageReleaseFailingPermanentlyAfterStagingFiles() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("StageRelease", Kind.PERMANENT_AFTER, "Build", Kind.REPLAY));
        assertFailedCleanly(r, before, "injected permanent failure in StageRelease", false);
        assertEquals(1, FAULTS.calls("StageRelease"));
    }

    @Test
    @Order(21)
    void verifyReleaseFailingPermanently() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("VerifyRelease", Kind.PERMANENT, "Build", Kind.REPLAY));
        assertFailedCleanly(r, before, "injected permanent failure in VerifyRelease", false);
        assertEquals(1, FAULTS.calls("VerifyRelease"));
        assertEquals(ReleaseStatus.FAILED, store.releases().get(APP, r.deployment().releaseId()).orElseThrow().status());
    }

    @Test
    @Order(22)
    void verifyReleaseFailingTransientlyAfterTheReleaseBecameReady() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("VerifyRelease", Kind.TRANSIENT_AFTER));
        // Verified on the first attempt (its answer lost every time): READY stays READY and intact, not production.
        assertFailedCleanly(r, before, "injected transient failure in VerifyRelease", true);
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("VerifyRelease"));
        assertEquals(1, events("release.ready", "release/" + r.deployment().releaseId()));
        RELEASE_OF.put("v7", r.deployment().releaseId());
    }

    @Test
    @Order(23)
    void promoteReleaseFailingTransientlyUntilRetriesAreExhausted() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("PromoteRelease", Kind.TRANSIENT_BEFORE)); // reuses the READY v7 release
        assertFailedCleanly(r, before, "injected transient failure in PromoteRelease", true);
        assertEquals(RELEASE_OF.get("v7"), r.deployment().releaseId());
        assertEquals(LAMBDA_CALLS_WHEN_EXHAUSTED, FAULTS.calls("PromoteRelease"));
    }

    @Test
    @Order(24)
    void promoteReleaseFailingPermanentlyAfterANewReleaseBecameReady() throws Exception {
        importApp("v8");
        Production before = production();
        Run r = deploy(Map.of("PromoteRelease", Kind.PERMANENT));
        assertFailedCleanly(r, before, "injected permanent failure in PromoteRelease", true);
        assertFalse(Boolean.TRUE.equals(r.deployment().reusedRelease()));
        RELEASE_OF.put("v8", r.deployment().releaseId());
    }

    @Test
    @Order(25)
    void markFailedFailingAlwaysLeavesProductionAloneButTheRecordRunning() throws Exception {
        Production before = production();
        Run r = deploy(Map.of("ResolveRef", Kind.PERMANENT, "MarkFailed", Kind.TRANSIENT_BEFORE));
        // MarkFailed retries every error 6 times; after that the execution fails (no Catch is left).
        assertEquals(ExecutionStatus.FAILED, r.execution(), r.toString());
        assertEquals(1 + 6, FAULTS.calls("MarkFailed"));
        Alias alias = store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        assertEquals(before.releaseId(), alias.releaseId());
        assertEquals(before.aliasVersion(), alias.version());
        assertArrayEquals(before.index(), edge("/").body());
        assertNoIntermediates(r.id());
        // Only MarkFailed writes the outcome; when it cannot, the record still says RUNNING until it is
        // read through the API, which finds the ended execution and marks the deployment FAILED.
        assertEquals(Deployment.Status.RUNNING, r.deployment().status());
        JsonNode read = Json.parse(api.json("GET", "/apps/" + APP + "/deployments/" + r.id(), null).body());
        assertEquals("FAILED", read.path("status").asText(), read.toString());
        assertTrue(read.path("failure").asText().contains("ended FAILED"), read.toString());
        assertEquals(Deployment.Status.FAILED, store.deployments().get(APP, r.id()).orElseThrow().status());
        failed++;
    }

    // ---- afterwards: the workflow is healthy and every alias move was onto a READY release

    @Test
    @Order(26)
    void afterAllFaultsADeployStillWorksAndEveryAliasMoveWasOntoAReadyRelease() throws Exception {
        Run r = deploy(Map.of()); // v8 is READY from the failed promotion: reused, now promoted
        assertSucceeded(r, "v8");
        assertEquals(RELEASE_OF.get("v8"), r.deployment().releaseId());

        List<AuditEvent> all = ledger.events(APP, 1, 10_000);
        List<AuditEvent> moves = all.stream().filter(e -> e.action().equals("alias.moved")).toList();
        assertEquals(succeeded, moves.size(), "one alias move per successful deployment");
        long version = 0;
        for (AuditEvent e : moves) {
            String release = e.after().path("releaseId").asText();
            Release rec = store.releases().get(APP, release).orElseThrow(() -> new AssertionError("alias moved to unknown release " + release));
            assertEquals(ReleaseStatus.READY, rec.status(), "alias moved onto " + rec);
            assertEquals(++version, e.after().path("version").asLong(), "alias versions move by one: " + e);
        }
        assertEquals(failed, all.stream().filter(e -> e.action().equals("deployment.failed")).count());
        assertTrue(ledger.verify(APP).valid(), "audit chain: " + ledger.verify(APP));
        // No build intermediates of any deployment are left, nor any build's environment values.
        assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket).prefix("builds/" + APP + "/")).contents().stream()
                .filter(o -> o.key().endsWith("/source.zip") || o.key().endsWith("/output.zip") || o.key().endsWith("/env.json")).count());
    }

    // ---- checks

    private static void assertSucceeded(Run r, String headline) throws Exception {
        Deployment d = r.deployment();
        assertEquals(ExecutionStatus.SUCCEEDED, r.execution(), r.toString());
        assertEquals(Deployment.Status.SUCCEEDED, d.status(), r.toString());
        succeeded++;
        String release = d.releaseId();
        for (Deployment.Step s : d.steps()) {
            assertNotNull(s.endedAt(), "open step " + s + " in " + r);
            assertFalse(s.outcome().startsWith("failed"), s + " in " + r);
        }
        // Production names the new release, which is READY, and the edge serves its bytes.
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        assertEquals(release, app.path("production").path("releaseId").asText(), app.toString());
        assertAliasOnReady();
        assertEquals(release, store.aliases().get(APP, Alias.PRODUCTION).orElseThrow().releaseId());
        EdgeClient.Reply index = edge("/");
        assertEquals(200, index.status());
        String js = asset(index.text());
        assertTrue(edge(js).text().contains(headline), "production serves " + headline);
        byte[] known = INDEX.putIfAbsent(release, index.body());
        if (known != null) {
            assertArrayEquals(known, index.body(), "release " + release + " serves what it served before");
        }
        String previous = RELEASE_OF.put(headline, release);
        if (previous != null) {
            assertEquals(previous, release, headline + " was built again although a READY release had its tree");
        }
        assertEquals(List.of(), files.verify(files.manifest(APP, release).orElseThrow()));
        assertNoIntermediates(r.id());
    }

    private static void assertFailedCleanly(Run r, Production before, String reason, boolean releaseStaysReady) throws Exception {
        Deployment d = r.deployment();
        assertEquals(ExecutionStatus.FAILED, r.execution(), r.toString());
        assertEquals(Deployment.Status.FAILED, d.status(), r.toString());
        failed++;
        assertNotNull(d.failure(), r.toString());
        assertTrue(d.failure().contains(reason), "failure reason: " + d.failure());
        for (Deployment.Step s : d.steps()) {
            assertNotNull(s.endedAt(), "open step " + s + " in " + r);
        }
        // Production: the same release, alias version and bytes at the edge.
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        assertEquals(before.releaseId(), app.path("production").path("releaseId").asText(), app.toString());
        Alias alias = store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        assertEquals(before.releaseId(), alias.releaseId());
        assertEquals(before.aliasVersion(), alias.version(), "production did not move");
        assertAliasOnReady();
        EdgeClient.Reply index = edge("/");
        assertArrayEquals(before.index(), index.body(), "the edge serves the same index.html");
        assertArrayEquals(before.bundle(), edge(asset(index.text())).body(), "the edge serves the same bundle");
        // The deployment's release: READY ones stay whole (and are not production); others leave nothing.
        String release = d.releaseId();
        if (release != null) {
            assertNotEquals(before.releaseId(), release);
            Optional<Release> rec = store.releases().get(APP, release);
            if (releaseStaysReady) {
                assertEquals(ReleaseStatus.READY, rec.orElseThrow().status(), r.toString());
                assertEquals(List.of(), files.verify(files.manifest(APP, release).orElseThrow()));
                assertEquals(200, EdgeClient.get(runtime.edge().port(), host(release + "--" + APP), "/").status());
            } else {
                assertTrue(rec.isEmpty() || rec.get().status() == ReleaseStatus.FAILED, "release left " + rec);
                assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket).prefix(SiteKeys.releasePrefix(APP, release))).keyCount(),
                        "files left of failed release " + release);
                assertTrue(files.manifest(APP, release).isEmpty(), "manifest left of failed release " + release);
            }
        } else {
            assertFalse(releaseStaysReady, "expected a release in " + r);
        }
        assertNoIntermediates(r.id());
        assertEquals(1, events("deployment.failed", "deployment/" + r.id()), "one deployment.failed for " + r.id());
    }

    private static void assertAttempts(Run r, String step, int atLeast) {
        Integer attempts = step(r, step).attempts();
        assertTrue(attempts != null && attempts >= atLeast, step + " attempts in " + r);
    }

    private static void assertAliasOnReady() {
        Alias alias = store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        assertEquals(ReleaseStatus.READY, store.releases().get(APP, alias.releaseId()).orElseThrow().status(), alias.toString());
    }

    private static void assertNoIntermediates(String deploymentId) {
        for (String key : List.of(SiteKeys.source(APP, deploymentId), SiteKeys.output(APP, deploymentId))) {
            try {
                s3.headObject(b -> b.bucket(bucket).key(key));
                throw new AssertionError(key + " was left behind");
            } catch (NoSuchKeyException gone) {
                // as it should be
            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                assertEquals(404, e.statusCode(), key + ": " + e);
            }
        }
    }

    /** Audit events of the app with this action, aimed at {@code ref} or made by deployment {@code ref}. */
    private static long events(String action, String ref) {
        return ledger.events(APP, 1, 10_000).stream().filter(e -> e.action().equals(action))
                .filter(e -> e.target().equals(ref) || ("deployment/" + ref).equals(e.requestId()))
                .count();
    }

    private static Production production() throws Exception {
        Alias alias = store.aliases().get(APP, Alias.PRODUCTION).orElseThrow();
        EdgeClient.Reply index = edge("/");
        return new Production(alias.releaseId(), alias.version(), index.body(), edge(asset(index.text())).body());
    }

    private static Deployment.Step step(Run r, String name) {
        return r.deployment().steps().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + name + " in " + r));
    }

    // ---- driving

    private static void importApp(String headline) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + APP + "/imports", Exports.zip("faulty-main/", ViteApp.files(headline)),
                "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    /** Starts a deployment with these faults, waits for the execution (not only the record) to end. */
    private static Run deploy(Map<String, Kind> faults) throws Exception {
        FAULTS.reset(faults);
        try {
            HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/deployments", "{}");
            assertEquals(202, started.statusCode(), started.body());
            String id = Json.parse(started.body()).path("deploymentId").asText();
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (true) {
                DescribeExecutionResponse e = sfn.describeExecution(b -> b.executionArn(executionPrefix + id));
                if (e.status() != ExecutionStatus.RUNNING) {
                    return new Run(id, store.deployments().get(APP, id).orElseThrow(), e.status());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("deployment " + id + " still running; see " + runtime.stepFunctions().logFile());
                }
                Thread.sleep(50);
            }
        } finally {
            FAULTS.active.clear();
        }
    }

    private static String asset(String index) {
        Matcher m = Pattern.compile("(/assets/[A-Za-z0-9_.-]+\\.js)").matcher(index);
        assertTrue(m.find(), "no .js asset in " + index);
        return m.group(1);
    }

    private static String host(String label) {
        return slipway.edge().host(label);
    }

    /** GET a path of the app's production site. */
    private static EdgeClient.Reply edge(String path) throws Exception {
        return slipway.edge().site(APP, path);
    }
}
