package dev.slipway.local.production;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.schedule.LocalSchedules;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The template's schedules run in `slipway up` (EventBridge Scheduler's part): the cleanup removes a
 * release production left and the audit export writes its digests, with nobody calling the API.
 */
class LocalSchedulesTest {
    /** The schedules run every second here (the template's rates are an hour and more). */
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05)
            .scheduleInterval(Duration.ofSeconds(1)).build();

    @Test
    void theTemplatesSchedulesAreReadWithTheirTargetsRatesAndInputs() {
        SamTemplate t = SamTemplate.read(EmbeddedEngines.repoRoot().resolve("template.yaml"));
        Map<String, LocalSchedules.Schedule> byId = LocalSchedules.read(t).stream()
                .collect(Collectors.toMap(LocalSchedules.Schedule::id, s -> s));
        assertEquals("ScheduledCleanupFunction", byId.get("CleanupSchedule").functionId());
        assertEquals(Duration.ofHours(1), byId.get("CleanupSchedule").rate());
        assertEquals("slipway.cleanup", byId.get("CleanupSchedule").input().path("source").asText());
        assertEquals("AuditExportFunction", byId.get("AuditExportSchedule").functionId());
        assertEquals(Duration.ofMinutes(5), LocalSchedules.rate("rate(5 minutes)"));
        assertEquals(Duration.ofDays(1), LocalSchedules.rate("rate(1 day)"));
        assertNull(LocalSchedules.rate("cron(0 12 * * ? *)"));
    }

    @Test
    void theTimerRunsTheCleanupAndTheAuditExport() throws Exception {
        ProductionFixture f = new ProductionFixture(slipway);
        LocalRuntime runtime = slipway.runtime();
        // Given an app keeping one release, whose first release the second replaced in production
        String app = "timer";
        assertEquals(201, f.api("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Timer\"}").statusCode());
        assertEquals(200, f.api("PATCH", "/apps/" + app, "{\"retainReleases\":1}").statusCode());
        String first = f.ready(app, "First");
        assertEquals(200, f.api("POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + first + "\"}").statusCode());
        String second = f.ready(app, "Second");
        assertEquals(200, f.api("POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + second + "\"}").statusCode());
        int runsBefore = runtime.schedules().runs("CleanupSchedule");

        // When the timer's cleanup runs, then the replaced release is removed and production kept
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (f.store.releases().get(app, first).orElseThrow().status() != ReleaseStatus.DELETED) {
            assertTrue(Instant.now().isBefore(deadline), "the timer's cleanup never removed " + first);
            Thread.sleep(100);
        }
        // The run that removed it may still be finishing (runs() counts ended runs).
        while (runtime.schedules().runs("CleanupSchedule") <= runsBefore) {
            assertTrue(Instant.now().isBefore(deadline), "the cleanup run that removed " + first + " never ended");
            Thread.sleep(50);
        }
        assertEquals(ReleaseStatus.READY, f.store.releases().get(app, second).orElseThrow().status());
        // and the timer's audit export writes a digest that verifies
        while (runtime.schedules().runs("AuditExportSchedule") < 1) {
            assertTrue(Instant.now().isBefore(deadline), "the audit export never ran");
            Thread.sleep(100);
        }
        var verified = Json.parse(f.api("GET", "/apps/" + app + "/audit/exports/verify", null).body());
        assertTrue(verified.path("valid").asBoolean() && verified.path("digests").asInt() >= 1, verified.toString());
        // Run now, as the scheduler does: the answer is the run's counts.
        var out = runtime.schedules().run("CleanupSchedule");
        assertTrue(out.path("complete").asBoolean(), out.toString());
    }
}
