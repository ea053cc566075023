package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static Deployment running() {
        return new Deployment("shop", "01kawz3q9mqd1w6m0t0d5y2x8h", "main", DeployTarget.PRODUCTION, Deployment.Status.RUNNING,
                "c0ffee", "7ree", null, null, null, null, "admin", T0, null, 1);
    }

    @Test
    void aRetriedStepCountsAttemptsAndKeepsItsFirstStart() {
        Deployment d = running().withStepStarted("StageRelease", T0)
                .withStepStarted("StageRelease", T0.plusSeconds(5))
                .withStepStarted("StageRelease", T0.plusSeconds(9))
                .withStepEnded("StageRelease", "succeeded", T0.plusSeconds(10));
        Deployment.Step s = d.steps().get(0);
        assertEquals(T0, s.startedAt());
        assertEquals(T0.plusSeconds(10), s.endedAt());
        assertEquals(3, s.attempts());
        assertEquals(5, d.version(), "every change is a new version (compare-and-set)");
    }

    @Test
    void failingEndsEveryOpenStep() {
        Deployment d = running().withStepStarted("ResolveRef", T0).withStepEnded("ResolveRef", "succeeded", T0)
                .withStepStarted("Build", T0.plusSeconds(1))
                .failed("npm run build exited with status 1", T0.plusSeconds(30));
        assertEquals(Deployment.Status.FAILED, d.status());
        assertEquals("succeeded", d.steps().get(0).outcome());
        assertEquals("failed", d.steps().get(1).outcome());
        assertEquals(T0.plusSeconds(30), d.finishedAt());
        assertTrue(d.finished());
    }

    @Test
    void roundTripsThroughJson() {
        Deployment d = running().withStepStarted("ResolveRef", T0).withRelease("01kawz3q9mqd1w6m0t0d5y2x8j", false);
        JsonNode n = Json.MAPPER.valueToTree(d);
        assertEquals("2026-11-25T10:00:00Z", n.get("createdAt").asText());
        assertEquals(d, Json.MAPPER.convertValue(n, Deployment.class));
        assertNull(n.get("failure"));
    }

    @Test
    void theFailureReasonIsTheTaskErrorMessage() {
        JsonNode lambdaError = Json.parse("""
                {"Error":"dev.slipway.shared.deploy.StepFailedException",
                 "Cause":"{\\"errorMessage\\":\\"npm run build exited with status 1\\",\\"errorType\\":\\"x\\",\\"stackTrace\\":[]}"}""");
        assertEquals("npm run build exited with status 1", DeploySteps.failureReason(StepInput.Caught.fromJson(lambdaError)));
        JsonNode codeBuild = Json.parse("""
                {"Error":"States.TaskFailed","Cause":"{\\"Build\\":{\\"BuildStatus\\":\\"FAILED\\"}}"}""");
        assertEquals("the build ended FAILED", DeploySteps.failureReason(StepInput.Caught.fromJson(codeBuild)));
        assertEquals("States.Timeout", DeploySteps.failureReason(StepInput.Caught.fromJson(Json.parse("{\"Error\":\"States.Timeout\"}"))));
        assertEquals("the deploy workflow failed", DeploySteps.failureReason(StepInput.Caught.fromJson(Json.object())));
    }
}
