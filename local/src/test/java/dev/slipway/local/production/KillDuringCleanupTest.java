package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.ChildSlipway;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.deploy.cleanup.ReleaseSweeper;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `slipway up` SIGKILLed in the middle of a cleanup (after its first {@code release.removed} event),
 * started again, cleanup run again: it converges. Every release production left is removed exactly
 * once (one audit event each), production's is untouched, nothing removed is left in S3, and the
 * chain verifies.
 */
class KillDuringCleanupTest {
    private static final String APP = "kill-sweep";
    private static final int RELEASES = 40;
    private static final int FILES = 5;
    @TempDir
    Path data;
    private ChildSlipway slipway;
    private JsonNode runtime;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (slipway != null) {
            slipway.kill();
        }
    }

    private void start() throws Exception {
        if (slipway == null) {
            slipway = new ChildSlipway(data, "--schedule-interval", "off");
        }
        slipway.start();
        runtime = slipway.runtime();
    }

    private void kill() {
        slipway.kill();
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        return slipway.api(method, path, json);
    }

    @Test
    void aKilledCleanupConvergesAndRemovesEachReleaseOnce() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        start();
        assertEquals(201, api("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Kill sweep\"}").statusCode());
        assertEquals(200, api("PATCH", "/apps/" + APP, "{\"retainReleases\":1}").statusCode());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < RELEASES; i++) {
            ids.add(ready(i));
            HttpResponse<String> p = api("POST", "/apps/" + APP + "/promote", "{\"releaseId\":\"" + ids.get(i) + "\"}");
            assertEquals(200, p.statusCode(), p.body());
        }
        String production = ids.get(RELEASES - 1);
        List<String> doomed = ids.subList(0, RELEASES - 1);

        int removedAtKill;
        try (Stores s = new Stores(runtime)) {
            long head = s.ledger.head(APP).seq();
            CompletableFuture.runAsync(() -> {
                try {
                    api("POST", "/cleanup", null);
                } catch (Exception e) {
                    // killed under it: expected
                }
            });
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (removals(s.ledger, head).isEmpty()) {
                assertTrue(Instant.now().isBefore(deadline), "no release.removed event within 60 s");
                Thread.sleep(5);
            }
            kill();
            // The engines died with the JVM: the next start reads what the kill left.
            removedAtKill = -1;
        }
        start();
        try (Stores s = new Stores(runtime)) {
            removedAtKill = removals(s.ledger, 0).size();
            long interrupted = doomed.stream().filter(id -> s.store.releases().get(APP, id).orElseThrow().status().removal()
                    && s.store.releases().get(APP, id).orElseThrow().status() != ReleaseStatus.DELETED).count();
            System.out.println("killed after " + removedAtKill + " of " + doomed.size() + " removals; " + interrupted
                    + " release(s) left RETIRING/DELETING");
        }
        assertTrue(removedAtKill >= 1 && removedAtKill < doomed.size(), "killed half-way (" + removedAtKill + " removed)");

        HttpResponse<String> again = api("POST", "/cleanup", null);
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(Json.parse(again.body()).path("complete").asBoolean(), again.body());
        HttpResponse<String> third = api("POST", "/cleanup", null);
        assertEquals(0, Json.parse(third.body()).path("releasesRemoved").asInt(), third.body());

        try (Stores s = new Stores(runtime)) {
            List<AuditEvent> removed = removals(s.ledger, 0);
            Map<String, Long> perRelease = removed.stream().collect(Collectors.groupingBy(AuditEvent::target, Collectors.counting()));
            for (String id : doomed) {
                assertEquals(1L, perRelease.getOrDefault("release/" + id, 0L), "one release.removed event for " + id);
                assertEquals(ReleaseStatus.DELETED, s.store.releases().get(APP, id).orElseThrow().status(), id);
                assertEquals(0, s.s3.listObjectsV2(r -> r.bucket(s.bucket).prefix("sites/" + APP + "/" + id + "/")).keyCount(), id);
                assertEquals(0, s.s3.listObjectsV2(r -> r.bucket(s.bucket).prefix("releases/" + APP + "/" + id + "/")).keyCount(), id);
                assertEquals(FILES, removed.stream().filter(e -> e.target().equals("release/" + id)).findFirst().orElseThrow()
                        .after().path("files").asInt(), "files counted before any was deleted");
            }
            assertEquals(doomed.size(), removed.size(), "nothing else removed");
            assertEquals(production, s.store.aliases().get(APP, Alias.PRODUCTION).orElseThrow().releaseId());
            assertEquals(ReleaseStatus.READY, s.store.releases().get(APP, production).orElseThrow().status());
            assertEquals(FILES, s.s3.listObjectsV2(r -> r.bucket(s.bucket).prefix("sites/" + APP + "/" + production + "/")).keyCount());
            assertTrue(s.ledger.verify(APP).valid(), s.ledger.verify(APP).toString());
        }
    }

    private static List<AuditEvent> removals(AuditLedger ledger, long afterSeq) {
        return ledger.events(APP, afterSeq + 1, 10_000).stream().filter(e -> e.action().equals(ReleaseSweeper.REMOVED)).toList();
    }

    /** A READY release of FILES files, all new content (so each removal has index entries to forget). */
    private String ready(int n) throws Exception {
        Map<String, byte[]> site = new LinkedHashMap<>();
        for (int i = 0; i < FILES; i++) {
            site.put("/page-" + i + ".html", ("<p>release " + n + " page " + i + "</p>\n").getBytes(StandardCharsets.UTF_8));
        }
        ObjectNode body = Json.object();
        ObjectNode list = body.putObject("files");
        Map<String, byte[]> bySha = new LinkedHashMap<>();
        site.forEach((p, b) -> {
            list.put(p, ReleaseFiles.hex("SHA-256", b));
            bySha.put(ReleaseFiles.hex("SHA-256", b), b);
        });
        HttpResponse<String> created = api("POST", "/apps/" + APP + "/releases", Json.write(body));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode c = Json.parse(created.body());
        for (JsonNode u : c.path("uploads")) {
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(u.path("url").asText()))
                    .method("PUT", HttpRequest.BodyPublishers.ofByteArray(bySha.get(u.path("sha256").asText())));
            u.path("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
            assertEquals(200, http.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        String id = c.path("releaseId").asText();
        HttpResponse<String> fin = api("POST", "/apps/" + APP + "/releases/" + id + "/finalize", null);
        assertEquals(200, fin.statusCode(), fin.body());
        return id;
    }

    /** The child's stores, read directly. */
    private static final class Stores implements AutoCloseable {
        final S3Client s3;
        final DynamoDbClient ddb;
        final AuditLedger ledger;
        final DeployStores store;
        final String bucket;

        Stores(JsonNode runtime) {
            s3 = S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true).credentialsProvider(LocalRuntime.credentials())
                    .endpointOverride(URI.create(runtime.path("s3Endpoint").asText())).httpClient(ApacheHttpClient.builder().build()).build();
            ddb = DynamoDbClient.builder().region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                    .endpointOverride(URI.create(runtime.path("dynamodbEndpoint").asText())).httpClient(ApacheHttpClient.builder().build()).build();
            LocalNames names = new LocalNames();
            var enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
            ledger = new AuditLedger(enhanced, names.physicalName("AuditTable", SamTemplate.TABLE));
            store = DynamoDbDeployStores.of(enhanced, names.physicalName("ReleasesTable", SamTemplate.TABLE), ledger);
            bucket = names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
        }

        @Override
        public void close() {
            s3.close();
            ddb.close();
        }
    }
}
