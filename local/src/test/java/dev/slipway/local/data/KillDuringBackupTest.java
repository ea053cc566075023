package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.ChildSlipway;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `slipway up` SIGKILLed while a backup is being written (its multipart upload under way), started
 * again: the backup is listed FAILED ("abandoned"), never usable, and none of its objects or upload
 * parts are left in the bucket.
 */
class KillDuringBackupTest {
    private static final String APP = "kill-backup";
    @TempDir
    Path data;
    private ChildSlipway slipway;

    @AfterEach
    void stop() {
        if (slipway != null) {
            slipway.kill();
        }
    }

    @Test
    void aKilledBackupIsFailedAndLeavesNothingBehind() throws Exception {
        LocalSlipway.assumeNpmDependencies(); // the backup runs in the local Step Functions
        slipway = new ChildSlipway(data, "--schedule-interval", "off");
        slipway.start();
        try (ScratchDatabase source = TestPostgres.freshDatabase()) {
            try (Connection c = source.connect(); Statement s = c.createStatement()) {
                // enough rows that the dump is still running when the first upload part has gone
                s.execute("CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 4) AS body FROM generate_series(1, 400000) g");
            }
            assertEquals(201, slipway.api("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Kill backup\"}").statusCode());
            HttpResponse<String> linked = slipway.api("PUT", "/apps/" + APP + "/database", "{\"url\":\"" + source.url() + "\"}");
            assertEquals(200, linked.statusCode(), linked.body());
            HttpResponse<String> started = slipway.api("POST", "/apps/" + APP + "/database/backups", null);
            assertEquals(202, started.statusCode(), started.body());
            String id = Json.parse(started.body()).get("backupId").asText();
            String prefix = "database-backups/" + APP + "/" + id + "/";

            String bucket;
            try (S3Client s3 = s3(slipway.runtime())) {
                bucket = slipway.runtime().get("buckets").get(0).asText();
                Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
                while (s3.listMultipartUploads(r -> r.bucket(bucket).prefix(prefix)).uploads().isEmpty()) {
                    assertTrue(Instant.now().isBefore(deadline), "no upload of the backup started within 60 s");
                    JsonNode now = Json.parse(slipway.api("GET", "/apps/" + APP + "/database/backups/" + id, null).body());
                    assertEquals("RUNNING", now.get("status").asText(), "killed before it finished: " + now);
                    Thread.sleep(5);
                }
            }
            slipway.kill();

            slipway.start();
            JsonNode after = Json.parse(slipway.api("GET", "/apps/" + APP + "/database/backups/" + id, null).body());
            assertEquals("FAILED", after.get("status").asText(), after.toString());
            assertFalse(after.get("usable").asBoolean());
            assertTrue(after.get("failure").asText().contains("abandoned"), after.toString());
            HttpResponse<String> download = slipway.api("POST", "/apps/" + APP + "/database/backups/" + id + "/download", null);
            assertEquals(409, download.statusCode(), download.body());
            try (S3Client s3 = s3(slipway.runtime())) {
                assertEquals(0, s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)).keyCount(), "no object of the half backup");
                assertTrue(s3.listMultipartUploads(r -> r.bucket(bucket).prefix(prefix)).uploads().isEmpty(), "no upload parts left");
            }
            String audit = slipway.api("GET", "/apps/" + APP + "/audit?limit=500", null).body();
            assertTrue(audit.contains("database.backup.failed"), audit);
            assertTrue(Json.parse(slipway.api("GET", "/apps/" + APP + "/audit/verify", null).body()).get("valid").asBoolean());
        }
    }

    private static S3Client s3(JsonNode runtime) {
        return S3Client.builder().httpClient(ApacheHttpClient.builder().build()).region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                .credentialsProvider(LocalRuntime.credentials()).endpointOverride(URI.create(runtime.get("s3Endpoint").asText())).build();
    }
}
