package dev.slipway.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real statemachines/deploy.asl.json in the local engine (aws-local-stepfunctions), its Task
 * states answered by a stand-in for DeploySteps, to run the build-lease wait loop as the engine runs
 * it (Choice guards, the counting Pass states with States.MathAdd, the Wait, the give-up Pass with
 * States.Format) — including the give-up after 840 waits, which a real deployment reaches only
 * after 70 minutes. Wait states run 1000 times faster here.
 */
class LeaseWaitLoopTest {
    private static final String LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:";

    @TempDir
    static Path work;
    static LambdaInvokeEndpoint lambda;
    static LocalStepFunctions sfn;
    static SfnClient client;
    static String deploy;

    /** Per deployment: how often FindReusableRelease was asked, and the wait answers it gives before "found". */
    static final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    static final Map<String, Integer> waitsBeforeFound = new ConcurrentHashMap<>();
    static final Map<String, JsonNode> markFailed = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        // the reused release's deployment still passes ApplyMigrations (an app without a database: nothing to apply)
        lambda = LambdaInvokeEndpoint.start(Map.of("DeploySteps", LeaseWaitLoopTest::step,
                "DeployMigrations", input -> Json.object().putNull("database")));
        var machine = new LocalStepFunctions.Machine("Deploy", EmbeddedEngines.repoRoot().resolve("statemachines/deploy.asl.json"),
                Map.of("${DeployStepsFunctionArn}", LAMBDA + "DeploySteps", "${DeployMigrationsFunctionArn}", LAMBDA + "DeployMigrations",
                        "${BuildProjectName}", "slipway-build"));
        sfn = LocalStepFunctions.start(new LocalStepFunctions.Options(LocalStepFunctions.home(), work, lambda.endpoint(),
                List.of(machine), Map.of(), 0.01, 0.001));
        deploy = sfn.arn("Deploy");
        client = SfnClient.builder().endpointOverride(sfn.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (sfn != null) {
            sfn.close();
        }
        if (lambda != null) {
            lambda.close();
        }
    }

    /** DeploySteps' answers, as {@code DeploySteps.run} gives them, for the states this loop passes. */
    private static JsonNode step(JsonNode input) {
        String deployment = input.path("deploymentId").asText();
        ObjectNode out = Json.object();
        switch (input.path("step").asText()) {
            case "ResolveRef" -> out.put("commit", "c0ffee").put("tree", "7ree").put("buildKey", "k".repeat(64));
            case "FindReusableRelease" -> {
                int n = asked.computeIfAbsent(deployment, d -> new AtomicInteger()).incrementAndGet();
                if (n <= waitsBeforeFound.get(deployment)) {
                    out.put("found", false).put("wait", true).put("holder", "holder-of-" + deployment);
                } else {
                    out.put("found", true).put("releaseId", "r1");
                }
            }
            case "PromoteRelease" -> out.put("releaseId", "r1").put("aliasVersion", 2).put("promoted", true);
            case "MarkFailed" -> {
                markFailed.put(deployment, input);
                out.put("status", "FAILED");
            }
            default -> throw new IllegalStateException("this loop never reaches " + input.path("step").asText());
        }
        return out;
    }

    @Test
    void aWaiterAsksAgainAfterEachWaitAndReusesTheReleaseOnceFound() {
        waitsBeforeFound.put("d-reuse", 3);

        DescribeExecutionResponse done = run("d-reuse");

        assertEquals(ExecutionStatus.SUCCEEDED, done.status(), () -> done.error() + ": " + done.cause());
        assertEquals(4, asked.get("d-reuse").get(), "three waits, then found");
        JsonNode out = Json.parse(done.output());
        assertEquals(3, out.path("leaseWait").path("attempts").asInt(), out.toString());
        assertEquals("r1", out.path("promoted").path("releaseId").asText(), out.toString());
    }

    @Test
    void aWaiterGivesUpAfter840WaitsAndMarkFailedRecordsWhy() {
        waitsBeforeFound.put("d-forever", Integer.MAX_VALUE);

        DescribeExecutionResponse done = run("d-forever");

        assertEquals(ExecutionStatus.FAILED, done.status());
        assertEquals("DeploymentFailed", done.error());
        assertEquals(840, asked.get("d-forever").get());
        JsonNode error = markFailed.get("d-forever").path("error");
        assertEquals("BuildLeaseWaitTimedOut", error.path("Error").asText(), error.toString());
        assertEquals("gave up after waiting 70 minutes for deployment holder-of-d-forever, which builds the same inputs; deploy again",
                error.path("Cause").asText());
    }

    private static DescribeExecutionResponse run(String deploymentId) {
        String arn = client.startExecution(b -> b.stateMachineArn(deploy).name(deploymentId)
                .input("{\"appId\":\"shop\",\"deploymentId\":\"" + deploymentId + "\",\"target\":\"production\"}")).executionArn();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            DescribeExecutionResponse d = client.describeExecution(b -> b.executionArn(arn));
            if (d.status() != ExecutionStatus.RUNNING) {
                return d;
            }
            assertTrue(System.nanoTime() < deadline, arn + " still RUNNING; see " + sfn.logFile());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
