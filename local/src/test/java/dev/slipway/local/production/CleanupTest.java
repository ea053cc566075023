package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.cleanup.CleanupService;
import dev.slipway.shared.deploy.cleanup.ReleaseSweeper;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerBundles;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.local.servers.NodeServer;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cleanup's release sweep through `slipway up` (POST /cleanup) and, where time must pass, the
 * service itself on the same stores with a later {@code now}: unreferenced releases go with their
 * files, content index entries and one audit event; production, retained and running releases stay;
 * a second run removes nothing; an alias move racing a removal never leaves an alias on a removed release.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CleanupTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05)
            .scheduleInterval(Duration.ZERO).build();
    private static ProductionFixture f;
    private static AppService apps;
    private static ReleaseFiles files;

    @BeforeAll
    static void up() throws Exception {
        f = new ProductionFixture(slipway);
        var enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(f.ddb).build();
        apps = new AppService(new DynamoDbAppStore(enhanced, new LocalNames().physicalName("AppsTable", SamTemplate.TABLE), f.ledger),
                Clock.systemUTC());
        files = new ReleaseFiles(f.s3, f.bucket);
    }

    private static CleanupService service() {
        return new CleanupService((now, max) -> 0, new ReleaseSweeper(apps, f.store, files, Clock.systemUTC()));
    }

    private static void app(String id, int retain) throws Exception {
        assertEquals(201, f.api("POST", "/apps", "{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}").statusCode());
        HttpResponse<String> r = f.api("PATCH", "/apps/" + id, "{\"retainReleases\":" + retain + "}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(retain, Json.parse(r.body()).path("retainReleases").asInt());
    }

    private static void promote(String app, String releaseId) throws Exception {
        HttpResponse<String> r = f.api("POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + releaseId + "\"}");
        assertEquals(200, r.statusCode(), r.body());
    }

    private static JsonNode cleanupNow() throws Exception {
        HttpResponse<String> r = f.api("POST", "/cleanup", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode out = Json.parse(r.body());
        assertTrue(out.path("complete").asBoolean(), out.toString());
        assertEquals(0, out.path("errors").asInt(), out.toString());
        return out;
    }

    private static ReleaseStatus status(String app, String id) {
        return f.store.releases().get(app, id).orElseThrow().status();
    }

    private static int objects(String prefix) {
        return f.s3.listObjectsV2(r -> r.bucket(f.bucket).prefix(prefix)).keyCount();
    }

    private static List<AuditEvent> removals(String app) {
        return f.ledger.events(app, 1, 10_000).stream().filter(e -> e.action().equals(ReleaseSweeper.REMOVED)).toList();
    }

    private static void assertChainValid(String app) {
        assertTrue(f.ledger.verify(app).valid(), f.ledger.verify(app).toString());
    }

    @Test
    @Order(1)
    void anUnreferencedReleaseIsRemovedWithItsFilesIndexAndOneAuditEvent() throws Exception {
        String app = "sweep-one";
        app(app, 1);
        String r1 = f.ready(app, "One");
        promote(app, r1);
        String r2 = f.ready(app, "Two");
        promote(app, r2); // r1 leaves production: a candidate, and outside the last 1
        long bytes = files.manifest(app, r1).orElseThrow().totalBytes();
        String js = ReleaseFiles.hex("SHA-256", ProductionFixture.site("x").get("/assets/app-1a2b3c4d.js"));
        assertTrue(f.store.content().known(app, Set.of(js)).get(js).contains("sites/" + app + "/" + r1 + "/"), "the index points into r1");

        JsonNode out = cleanupNow();
        assertTrue(out.path("releasesRemoved").asInt() >= 1, out.toString());
        assertEquals(ReleaseStatus.DELETED, status(app, r1));
        assertEquals(0, objects("sites/" + app + "/" + r1 + "/"));
        assertFalse(files.manifestExists(app, r1));
        assertFalse(f.store.content().known(app, Set.of(js)).containsKey(js), "the index no longer points at removed files");
        List<AuditEvent> removed = removals(app);
        assertEquals(1, removed.size(), removed.toString());
        assertEquals("release/" + r1, removed.get(0).target());
        assertEquals(2, removed.get(0).after().path("files").asLong());
        assertEquals(bytes, removed.get(0).after().path("bytes").asLong());
        assertEquals("unreferenced", removed.get(0).after().path("reason").asText());
        // Production's release is untouched and still serves; the history shows the tombstone.
        assertEquals(ReleaseStatus.READY, status(app, r2));
        assertTrue(f.edge(app).contains("Two"));
        JsonNode got = Json.parse(f.api("GET", "/apps/" + app + "/releases/" + r1, null).body());
        assertEquals("DELETED", got.path("status").asText(), got.toString());
        // Removed content is uploaded again by the next release (the index forgot it), and it works.
        String r3 = f.ready(app, "Three");
        assertEquals(ReleaseStatus.READY, status(app, r3));
        // Refused: production cannot move to a removed release.
        ProductionFixture.assertProblem(f.api("POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + r1 + "\"}"), 409, "release-not-ready");
        assertChainValid(app);
    }

    @Test
    @Order(2)
    void productionAndTheLastNReleasesAreNeverRemoved() throws Exception {
        String app = "sweep-keep";
        app(app, 2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(f.ready(app, "Edition " + i));
            promote(app, ids.get(i));
        }
        JsonNode out = cleanupNow();
        assertTrue(out.path("releasesKept").path("retained").asInt() >= 1, out.toString());
        assertEquals(ReleaseStatus.DELETED, status(app, ids.get(0)));
        assertEquals(ReleaseStatus.DELETED, status(app, ids.get(1)));
        assertEquals(ReleaseStatus.READY, status(app, ids.get(2)), "the last 2 production releases stay");
        assertEquals(ReleaseStatus.READY, status(app, ids.get(3)), "production stays");
        assertTrue(files.manifestExists(app, ids.get(2)));
        // The retained one is looked at again in a day, not every hour.
        long due = f.store.sweeps().find(app, ids.get(2)).orElseThrow().dueAt();
        assertTrue(due > Instant.now().plus(Duration.ofHours(23)).toEpochMilli(), "rescheduled: " + Instant.ofEpochMilli(due));
        // A rollback makes the newest a candidate: still among the last 2, kept; production back on the older one.
        assertEquals(200, f.api("POST", "/apps/" + app + "/rollback", "{\"releaseId\":\"" + ids.get(2) + "\"}").statusCode());
        cleanupNow();
        assertEquals(ReleaseStatus.READY, status(app, ids.get(3)));
        assertEquals(ReleaseStatus.READY, status(app, ids.get(2)));
        // A day later, with the setting at 1: the release production left goes; production's stays.
        assertEquals(200, f.api("PATCH", "/apps/" + app, "{\"retainReleases\":1}").statusCode());
        CleanupService.Result later = service().run(Instant.now().plus(Duration.ofHours(25)));
        assertTrue(later.complete(), later.toString());
        assertEquals(ReleaseStatus.DELETED, status(app, ids.get(3)));
        assertEquals(ReleaseStatus.READY, status(app, ids.get(2)));
        assertEquals(3, removals(app).size());
        assertChainValid(app);
    }

    @Test
    @Order(3)
    void theProductionAliasItselfProtectsItsReleaseWithoutRefItems() throws Exception {
        // Aliases written before ref items existed: only alias#production says where it points.
        String app = "sweep-legacy";
        app(app, 1);
        String r = f.ready(app, "Legacy");
        promote(app, r);
        Release release = f.store.releases().get(app, r).orElseThrow();
        Alias production = f.store.aliases().get(app, Alias.PRODUCTION).orElseThrow();
        f.ddb.deleteItem(d -> d.tableName(new LocalNames().physicalName("ReleasesTable", SamTemplate.TABLE)).key(Map.of(
                "appId", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(app),
                "key", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("ref#" + r + "#production"))));
        assertFalse(f.store.aliases().referenced(app, r));
        assertEquals(null, ReleaseSweeper.references(release, false, new ReleaseSweeper.Facts(Optional.empty(), List.of(), Set.of()), f.store.aliases()),
                "nothing else refers to it");
        assertEquals(ReleaseSweeper.Kept.ALIAS, ReleaseSweeper.references(release, false,
                new ReleaseSweeper.Facts(Optional.of(production), List.of(), Set.of()), f.store.aliases()));
    }

    @Test
    @Order(4)
    void aReleaseOfARunningDeploymentIsKeptUntilItEnds() throws Exception {
        String app = "sweep-running";
        app(app, 1);
        String r1 = f.ready(app, "One");
        promote(app, r1);
        promote(app, f.ready(app, "Two"));
        // A deployment that reuses r1 is running (written as the workflow would have).
        Instant now = Instant.now();
        String deploymentId = dev.slipway.shared.ids.Ulid.next(now).toLowerCase();
        Deployment running = new Deployment(app, deploymentId, null, DeployTarget.PRODUCTION, Deployment.Status.RUNNING, null, null, r1, true,
                List.of(), null, "admin", now, null, 1);
        f.store.deployments().create(running, AuditEvent.next(f.ledger.head(app), app, now, new Actor("admin", null, null),
                "deployment.started", "deployment/" + deploymentId, null, running.audited()));
        JsonNode out = cleanupNow();
        assertTrue(out.path("releasesKept").path("running").asInt() >= 1, out.toString());
        assertEquals(ReleaseStatus.READY, status(app, r1));
        long due = f.store.sweeps().find(app, r1).orElseThrow().dueAt();
        assertTrue(due > now.plus(Duration.ofMinutes(55)).toEpochMilli() && due < now.plus(Duration.ofHours(2)).toEpochMilli());
        // It ends: an hour later the release goes.
        f.store.deployments().update(app, deploymentId, d -> new Deployment(d.appId(), d.id(), d.ref(), d.target(), Deployment.Status.FAILED,
                d.commit(), d.tree(), d.releaseId(), d.reusedRelease(), d.steps(), "test", d.startedBy(), d.createdAt(), Instant.now(),
                d.version() + 1));
        service().run(now.plus(Duration.ofMinutes(61)));
        assertEquals(ReleaseStatus.DELETED, status(app, r1));
        assertChainValid(app);
    }

    @Test
    @Order(5)
    void anUploadNeverFinalizedIsRemovedADayLaterAndAFinalizedOneIsNot() throws Exception {
        String app = "sweep-staged";
        app(app, 5);
        JsonNode staged = f.stage(app, Map.of("/index.html", "never finalized\n".getBytes(StandardCharsets.UTF_8)));
        String stagedId = staged.path("releaseId").asText();
        String finalized = f.ready(app, "Finalized, never deployed");
        cleanupNow();
        assertEquals(ReleaseStatus.STAGED, status(app, stagedId), "not due for a day");
        service().run(Instant.now().plus(Duration.ofHours(25)));
        assertEquals(ReleaseStatus.DELETED, status(app, stagedId));
        assertEquals(0, objects("releases/" + app + "/" + stagedId + "/"), "its pending file list is gone");
        assertEquals(ReleaseStatus.READY, status(app, finalized));
        // A finalized upload's candidate is replaced by the one every READY release gets: due after the grace.
        assertTrue(f.store.sweeps().find(app, finalized).isPresent(), "a READY release is looked at again after the grace");
        List<AuditEvent> removed = removals(app);
        assertEquals(1, removed.size());
        assertEquals("upload-not-finalized", removed.get(0).after().path("reason").asText());
        // Finalizing it now is refused with a problem, not a 500.
        ProductionFixture.assertProblem(f.api("POST", "/apps/" + app + "/releases/" + stagedId + "/finalize", null), 409,
                "release-already-final");
    }

    @Test
    @Order(6)
    void aSecondRunRemovesNothing() throws Exception {
        service().run(Instant.now().plus(Duration.ofHours(25)));
        JsonNode again = cleanupNow();
        assertEquals(0, again.path("releasesRemoved").asInt(), again.toString());
        CleanupService.Result later = service().run(Instant.now().plus(Duration.ofHours(50)));
        assertEquals(0, later.releasesRemoved(), later.toString());
        for (String app : List.of("sweep-one", "sweep-keep", "sweep-running", "sweep-staged")) {
            List<String> targets = removals(app).stream().map(AuditEvent::target).toList();
            assertEquals(targets.size(), Set.copyOf(targets).size(), "each release removed once: " + targets);
            assertChainValid(app);
        }
    }

    @Test
    @Order(7)
    void anAliasMoveRacingARemovalNeverPointsAtARemovedRelease() throws Exception {
        String app = "sweep-race";
        app(app, 1);
        int moveWon = 0, removalWon = 0;
        for (int round = 0; round < 12; round++) {
            String old = f.ready(app, "Old " + round);
            promote(app, old);
            promote(app, f.ready(app, "New " + round)); // old: a due candidate, unretained
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<HttpResponse<String>> move = CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return f.api("POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + old + "\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<CleanupService.Result> sweep = CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    if (Math.random() < 0.5) {
                        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(4));
                    }
                    return service().run(Instant.now());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            go.countDown();
            HttpResponse<String> moved = move.join();
            CleanupService.Result swept = sweep.join();
            assertEquals(0, swept.errors(), swept.toString());
            Alias production = f.store.aliases().get(app, Alias.PRODUCTION).orElseThrow();
            ReleaseStatus oldStatus = status(app, old);
            if (moved.statusCode() == 200) {
                moveWon++;
                assertEquals(old, production.releaseId());
                assertEquals(ReleaseStatus.READY, oldStatus, "the move won: the release stays");
                assertTrue(files.manifestExists(app, old));
            } else {
                removalWon++;
                assertTrue(moved.statusCode() == 409 || moved.statusCode() == 422, moved.body());
                assertFalse(production.releaseId().equals(old));
            }
            // Whoever won: production serves a READY release whose files exist.
            assertEquals(ReleaseStatus.READY, status(app, production.releaseId()));
            assertTrue(files.manifestExists(app, production.releaseId()));
        }
        System.out.println("race: move won " + moveWon + ", removal won " + removalWon);
        assertNotNull(f.store.aliases().get(app, Alias.PRODUCTION));
        assertChainValid(app);
    }

    @Test
    @Order(8)
    void aReadyReleaseNoAliasEverServedIsRemovedAfterTheGrace() throws Exception {
        String app = "sweep-unserved";
        app(app, 1);
        String unserved = f.ready(app, "Built, never served");
        String served = f.ready(app, "Served");
        f.deploy(app, served);
        service().run(Instant.now().plus(ReleaseStore.UNSERVED_GRACE).minus(Duration.ofHours(1)));
        assertEquals(ReleaseStatus.READY, status(app, unserved), "kept within the grace");
        CleanupService.Result after = service().run(Instant.now().plus(ReleaseStore.UNSERVED_GRACE).plus(Duration.ofHours(1)));
        assertEquals(ReleaseStatus.DELETED, status(app, unserved), after.toString());
        assertEquals(0, objects("sites/" + app + "/" + unserved + "/"));
        assertEquals(ReleaseStatus.READY, status(app, served), "production's release stays");
        assertEquals(1, removals(app).size());
        assertChainValid(app);
    }

    @Test
    @Order(9)
    void aRemovedFullStackReleaseTakesItsBundleAndItsRunningServersWithIt() throws Exception {
        String app = "sweep-server";
        app(app, 1);
        String r1 = f.ready(app, "One");
        // r1 carries a server (as StageRelease would have stored it), which the edge starts on a request
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bundle-");
        java.nio.file.Files.writeString(dir.resolve("server.js"),
                "require('http').createServer((q, r) => r.end('server of r1')).listen(Number(process.env.PORT), process.env.HOST);\n");
        java.nio.file.Path zip = dir.resolveSibling(dir.getFileName() + ".zip");
        ServerOutput.zip(dir, zip, ServerBundle.MAX_UNZIPPED_BYTES);
        ServerOutput.Measured m = ServerOutput.measure(zip, "server.js", ServerBundle.MAX_UNZIPPED_BYTES);
        ServerBundle bundle = new ServerBundle(ServerBundle.NODE, 20, "server.js", m.sha256(), m.zipBytes(), m.unzippedBytes());
        f.s3.putObject(b -> b.bucket(f.bucket).key(ServerBundle.key(app, r1)).metadata(ServerBundles.metadata(bundle)),
                software.amazon.awssdk.core.sync.RequestBody.fromFile(zip));
        Release ready = f.store.releases().get(app, r1).orElseThrow();
        assertTrue(f.store.releases().changeStatus(ready.withServer(bundle), ReleaseStatus.READY));
        promote(app, r1);
        assertEquals("server of r1", slipway.edge().site(app, "/api").text());
        NodeServer.Key key = new NodeServer.Key(app, r1, EnvScope.PRODUCTION);
        assertTrue(slipway.runtime().appServers().running(key).isPresent());

        promote(app, f.ready(app, "Two")); // r1 leaves production: a candidate, outside the last 1
        cleanupNow();
        assertEquals(ReleaseStatus.DELETED, status(app, r1));
        assertEquals(0, objects(ServerBundle.key(app, r1)), "the bundle goes with the release");
        assertTrue(slipway.runtime().appServers().running(key).isEmpty(), "its server is stopped");
        assertTrue(slipway.runtime().appServers().bundle(app, r1).isEmpty());
    }
}
