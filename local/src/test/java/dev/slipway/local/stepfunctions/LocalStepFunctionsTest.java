package dev.slipway.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real SDK v2 SfnClient against the local Step Functions server (real Node.js, aws-local-stepfunctions)
 * running a test ASL file whose Task states call Java lambdas in this JVM.
 */
class LocalStepFunctionsTest {
    private static final String LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:";
    private static final String BUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync";

    @TempDir
    static Path work;

    static LambdaInvokeEndpoint lambda;
    static LocalStepFunctions sfn;
    static SfnClient client;
    static String pipeline;

    static final Map<String, AtomicInteger> validateCalls = new ConcurrentHashMap<>();
    static final List<JsonNode> compensations = new CopyOnWriteArrayList<>();
    static final List<JsonNode> builds = new CopyOnWriteArrayList<>();
    static final CountDownLatch slowStarted = new CountDownLatch(1);
    static final CountDownLatch slowRelease = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        lambda = LambdaInvokeEndpoint.start(Map.of(
                "Validate", input -> {
                    String appId = input.path("appId").asText();
                    int call = validateCalls.computeIfAbsent(appId, k -> new AtomicInteger()).incrementAndGet();
                    if (input.path("mode").asText().equals("flaky") && call == 1) {
                        throw new TransientError("registry busy, try again");
                    }
                    ObjectNode out = Json.object();
                    out.put("commit", "commit-" + appId);
                    out.put("attempt", call);
                    out.put("execution", input.path("execution").asText());
                    return out;
                },
                "Explode", input -> {
                    throw new IllegalStateException("boom");
                },
                "Compensate", input -> {
                    compensations.add(input);
                    ObjectNode out = Json.object();
                    out.put("undone", true);
                    return out;
                },
                "Slow", input -> {
                    slowStarted.countDown();
                    slowRelease.await(20, TimeUnit.SECONDS);
                    return Json.object();
                },
                "slipway-local-build", input -> {
                    builds.add(input);
                    ObjectNode build = Json.object();
                    build.put("Id", "local:" + input.path("ProjectName").asText() + ":" + input.path("SourceVersion").asText());
                    build.put("BuildStatus", "SUCCEEDED");
                    ObjectNode out = Json.object();
                    out.set("Build", build);
                    return out;
                }));
        Path asl = Path.of(LocalStepFunctionsTest.class.getResource("/stepfunctions/pipeline.asl.json").toURI());
        var machine = new LocalStepFunctions.Machine("Pipeline", asl, Map.of(
                "${ValidateFunctionArn}", LAMBDA + "Validate",
                "ExplodeFunctionArn", LAMBDA + "Explode",
                "${CompensateFunctionArn}", LAMBDA + "Compensate",
                "${SlowFunctionArn}", LAMBDA + "Slow",
                "${BuildProjectName}", "slipway-build"));
        sfn = LocalStepFunctions.start(new LocalStepFunctions.Options(LocalStepFunctions.home(), work, lambda.endpoint(),
                List.of(machine), Map.of(BUILD_SYNC, "slipway-local-build"), 0.01, 0.01));
        pipeline = sfn.arn("Pipeline");
        client = SfnClient.builder()
                .endpointOverride(sfn.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
        System.out.printf("local Step Functions started in %d ms at %s%n", (System.nanoTime() - t0) / 1_000_000, sfn.endpoint());
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

    @Test
    void aRetriedTaskThenTheOverriddenBuildSucceeds_andANameCannotBeReused() {
        long t0 = System.nanoTime();
        StartExecutionResponse started = client.startExecution(b -> b.stateMachineArn(pipeline).name("flaky-1")
                .input("{\"appId\":\"a1\",\"mode\":\"flaky\"}"));
        DescribeExecutionResponse done = await(started.executionArn());
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("first execution (with one retry): %d ms%n", firstMs);

        assertEquals(ExecutionStatus.SUCCEEDED, done.status(), () -> done.error() + ": " + done.cause());
        assertEquals("arn:aws:states:us-east-1:000000000000:execution:Pipeline:flaky-1", started.executionArn());
        assertEquals(2, validateCalls.get("a1").get(), "TransientError is retried once");
        JsonNode out = Json.parse(done.output());
        assertEquals("a1", out.path("appId").asText());
        assertEquals(2, out.path("validation").path("attempt").asInt());
        assertEquals("flaky-1", out.path("validation").path("execution").asText(), "$$.Execution.Name in Parameters");
        // The .sync integration ran the Java build with the state's Parameters; ResultSelector and ResultPath applied.
        assertEquals("{\"id\":\"local:slipway-build:commit-a1\",\"status\":\"SUCCEEDED\"}", out.path("build").toString());
        assertTrue(builds.stream().anyMatch(b -> b.toString().equals("{\"ProjectName\":\"slipway-build\",\"SourceVersion\":\"commit-a1\"}")));

        // Standard workflows: a name is used once (same input after it finished, or other input, alike).
        assertThrows(ExecutionAlreadyExistsException.class, () -> client.startExecution(b -> b.stateMachineArn(pipeline)
                .name("flaky-1").input("{\"appId\":\"a1\",\"mode\":\"flaky\"}")));
        assertThrows(ExecutionAlreadyExistsException.class, () -> client.startExecution(b -> b.stateMachineArn(pipeline)
                .name("flaky-1").input("{}")));
        assertTrue(client.listExecutions(b -> b.stateMachineArn(pipeline)).executions().stream()
                .anyMatch(e -> e.name().equals("flaky-1") && e.status() == ExecutionStatus.SUCCEEDED));
    }

    @Test
    void aCaughtErrorRunsTheCompensationThenTheFailState() {
        DescribeExecutionResponse done = await(client.startExecution(b -> b.stateMachineArn(pipeline)
                .input("{\"appId\":\"a2\",\"mode\":\"explode\"}")).executionArn());

        assertEquals(ExecutionStatus.FAILED, done.status());
        assertEquals("DeployFailed", done.error());
        assertEquals("explode was compensated", done.cause());
        JsonNode failure = compensations.stream().filter(c -> c.path("appId").asText().equals("a2")).findFirst()
                .orElseThrow().path("failure");
        // As Step Functions reports a Lambda (Java) error: the exception's class name, the error payload as Cause.
        assertEquals("java.lang.IllegalStateException", failure.path("Error").asText());
        JsonNode cause = Json.parse(failure.path("Cause").asText());
        assertEquals("boom", cause.path("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", cause.path("errorType").asText());
    }

    @Test
    void anUncaughtTaskErrorFailsTheExecutionWithTheExceptionType() {
        DescribeExecutionResponse done = await(client.startExecution(b -> b.stateMachineArn(pipeline)
                .input("{\"appId\":\"a3\",\"mode\":\"crash\"}")).executionArn());

        assertEquals(ExecutionStatus.FAILED, done.status());
        assertEquals("java.lang.IllegalStateException", done.error());
        assertEquals("boom", Json.parse(done.cause()).path("errorMessage").asText());
    }

    @Test
    void warmExecutionsAreFast_andUnknownMachinesAreRefused() {
        int n = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int k = i;
            DescribeExecutionResponse done = await(client.startExecution(b -> b.stateMachineArn(pipeline)
                    .input("{\"appId\":\"warm-" + k + "\",\"mode\":\"deploy\"}")).executionArn());
            assertEquals(ExecutionStatus.SUCCEEDED, done.status());
        }
        System.out.printf("warm execution (2 Java tasks, 4 states), start to SUCCEEDED seen: %.1f ms each over %d%n",
                (System.nanoTime() - t0) / 1e6 / n, n);

        assertThrows(StateMachineDoesNotExistException.class, () -> client.startExecution(b -> b
                .stateMachineArn(LocalStepFunctions.stateMachineArn("Nope")).input("{}")));
    }

    @Test
    void aLongTaskBlocksNoOtherExecution_andCanBeStopped() throws Exception {
        long t0 = System.nanoTime();
        String slow = client.startExecution(b -> b.stateMachineArn(pipeline).name("slow-1")
                .input("{\"appId\":\"s1\",\"mode\":\"slow\"}")).executionArn();
        // Same name and input while it runs: the same execution, as AWS answers a repeated Standard start.
        assertEquals(slow, client.startExecution(b -> b.stateMachineArn(pipeline).name("slow-1")
                .input("{\"appId\":\"s1\",\"mode\":\"slow\"}")).executionArn());
        assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
        // The Wait state's 10 s ran 100 times faster (waitScale 0.01).
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
        try {
            DescribeExecutionResponse other = await(client.startExecution(b -> b.stateMachineArn(pipeline)
                    .input("{\"appId\":\"s2\",\"mode\":\"deploy\"}")).executionArn());
            assertEquals(ExecutionStatus.SUCCEEDED, other.status());
            assertEquals(ExecutionStatus.RUNNING, client.describeExecution(b -> b.executionArn(slow)).status());

            client.stopExecution(b -> b.executionArn(slow).error("Cancelled").cause("by the test"));
            DescribeExecutionResponse stopped = client.describeExecution(b -> b.executionArn(slow));
            assertEquals(ExecutionStatus.ABORTED, stopped.status());
            assertEquals("Cancelled", stopped.error());
        } finally {
            slowRelease.countDown();
        }
    }

    @Test
    void theInvokeEndpointTakesAnArnAndReportsErrorsAsLambdaDoes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String arn = java.net.URLEncoder.encode(LAMBDA + "Explode", java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(lambda.endpoint() + "/2015-03-31/functions/" + arn + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.headers().firstValue("X-Amz-Function-Error").orElse(null));
        assertEquals("{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\",\"stackTrace\":[]}", r.body());

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(lambda.endpoint() + "/2015-03-31/functions/Nope/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        assertEquals("ResourceNotFoundException", missing.headers().firstValue("x-amzn-ErrorType").orElse(null));
    }

    private static DescribeExecutionResponse await(String executionArn) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            DescribeExecutionResponse d = client.describeExecution(b -> b.executionArn(executionArn));
            if (d.status() != ExecutionStatus.RUNNING) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(executionArn + " still RUNNING; see " + sfn.logFile());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
