package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.deploy.cleanup.ReleaseSweeper;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cleanup looks for RUNNING deployments only within {@link ReleaseSweeper#DEPLOY_WINDOW}: that window
 * must cover the deploy state machine's longest possible run, recomputed here from template.yaml and
 * deploy.asl.json, so raising a timeout or a retry count without the window fails the build.
 */
class DeployWindowTest {
    /** CodeBuild's default QueuedTimeoutInMinutes when the project does not set one. */
    private static final long CODEBUILD_QUEUED_DEFAULT_MIN = 480;

    @Test
    void theWindowCoversTheLongestDeploy() throws Exception {
        SamTemplate t = SamTemplate.read(EmbeddedEngines.repoRoot().resolve("template.yaml"));
        long lambdaTimeout = number(t.properties("DeployStepsFunction").get("Timeout"), 3);
        Map<String, Object> build = t.properties("BuildProject");
        long buildSeconds = 60 * (number(build.get("TimeoutInMinutes"), 60) + number(build.get("QueuedTimeoutInMinutes"), CODEBUILD_QUEUED_DEFAULT_MIN));
        JsonNode asl = Json.MAPPER.readTree(Files.readString(EmbeddedEngines.repoRoot().resolve("statemachines/deploy.asl.json")));
        long worst = 0;
        for (var it = asl.path("States").fields(); it.hasNext(); ) {
            JsonNode s = it.next().getValue();
            if (!s.path("Type").asText().equals("Task")) {
                continue;
            }
            long attempt = s.hasNonNull("TimeoutSeconds") ? s.path("TimeoutSeconds").asLong()
                    : s.path("Resource").asText().contains("codebuild") ? buildSeconds : lambdaTimeout;
            long attempts = 1, backoff = 0;
            for (JsonNode r : s.path("Retry")) {
                long max = r.path("MaxAttempts").asLong(3);
                double interval = r.path("IntervalSeconds").asDouble(1), rate = r.path("BackoffRate").asDouble(2);
                for (int i = 0; i < max; i++) {
                    backoff += (long) Math.ceil(interval * Math.pow(rate, i));
                }
                attempts += max;
            }
            worst += attempts * attempt + backoff;
        }
        // Waiting for another deployment's build of the same inputs: FindReusableRelease gives up once
        // it has waited BuildLeases.LONGEST_WAIT (each ask is one more attempt of a Task counted above).
        if (asl.path("States").has("WaitForBuildLease")) {
            worst += BuildLeases.LONGEST_WAIT.toSeconds();
        }
        if (asl.hasNonNull("TimeoutSeconds")) {
            worst = Math.min(worst, asl.path("TimeoutSeconds").asLong());
        }
        assertTrue(ReleaseSweeper.DEPLOY_WINDOW.toSeconds() >= worst,
                "a deploy may run " + worst + " s; the cleanup's window is " + ReleaseSweeper.DEPLOY_WINDOW);
        System.out.println("longest deploy: " + worst + " s (" + worst / 3600.0 + " h); window " + ReleaseSweeper.DEPLOY_WINDOW);
    }

    private static long number(Object v, long fallback) {
        return v == null ? fallback : Long.parseLong(String.valueOf(v));
    }
}
