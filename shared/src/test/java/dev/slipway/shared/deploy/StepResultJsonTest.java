package dev.slipway.shared.deploy;

import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The deploy steps' answers are the state machine's JSON: field order, absent fields and outcomes left out. */
class StepResultJsonTest {
    @Test
    void eachStepAnswersItsFieldsInOrderWithoutNullsOrOutcome() {
        assertEquals("{\"commit\":\"c\",\"tree\":\"t\",\"buildKey\":\"k\"}", Json.write(new StepResult.Resolved("c", "t", "k", null)));
        assertEquals("{\"buildKey\":\"\"}", Json.write(new StepResult.Resolved(null, null, "", "deploying release r: nothing to build")));
        assertEquals("{\"found\":true,\"releaseId\":\"r\"}", Json.write(new StepResult.Reusable(true, "r", "reused release r")));
        assertEquals("{\"found\":false}", Json.write(new StepResult.Reusable(false, null, "building")));
        assertEquals("{\"found\":false,\"wait\":true,\"holder\":\"d1\"}", Json.write(StepResult.Reusable.waitFor("d1")));
        assertEquals("{\"releaseId\":\"r\","
                        + "\"buildSettings\":\"{}\",\"sourceUrl\":\"s\",\"envUrl\":\"e\",\"outputUrl\":\"u\",\"logUrl\":\"g\","
                        + "\"cacheGetUrl\":\"\",\"cachePutUrl\":\"\",\"lockfileUrl\":\"l\",\"urlsExpireAt\":\"2026-01-01T01:00:00Z\",\"buildNotes\":\"n\"}",
                Json.write(new StepResult.Exported("r", "{}", "s", "e", "u", "g", "", "", "l", "2026-01-01T01:00:00Z", "n")));
        assertEquals("{\"releaseId\":\"r\",\"files\":3,\"bytes\":1234}", Json.write(new StepResult.Staged("r", 3, 1234L, "3 files")));
        assertEquals("{\"releaseId\":\"r\"}", Json.write(new StepResult.Staged("r", null, null, "already READY")));
        assertEquals("{\"releaseId\":\"r\",\"aliasVersion\":4,\"promoted\":true}", Json.write(new StepResult.Promoted("r", 4L, true)));
        assertEquals("{\"releaseId\":\"r\",\"promoted\":false}", Json.write(new StepResult.Promoted("r", null, false)));
        assertEquals("{\"status\":\"SUCCEEDED\",\"releaseId\":\"r\"}", Json.write(new StepResult.Finished("SUCCEEDED", "r", null)));
        assertEquals("{\"status\":\"FAILED\"}", Json.write(new StepResult.Finished("FAILED", null, null)));
        assertEquals("{\"status\":\"FAILED\",\"reason\":\"x\"}", Json.write(new StepResult.Finished("FAILED", null, "x")));
        assertEquals("{\"appId\":\"a\",\"deploymentId\":\"d\",\"target\":\"production\"}",
                Json.write(new DeployService.WorkflowInput("a", "d", "production")));
    }
}
