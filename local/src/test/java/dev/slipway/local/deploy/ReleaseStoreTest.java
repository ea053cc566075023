package dev.slipway.local.deploy;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.store.WriteConflict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Releases, aliases and release files against DynamoDB Local and the S3 server, tables from template.yaml. */
class ReleaseStoreTest {
    private static EmbeddedEngines engines;
    private static DeployStores store;
    private static AuditLedger ledger;
    private static ReleaseFiles files;
    private static final Actor ACTOR = new Actor(Actor.ADMIN, "req-1", "127.0.0.1");

    @BeforeAll
    static void start() throws Exception {
        engines = EmbeddedEngines.get();
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(engines.dynamoClient).build();
        ledger = new AuditLedger(enhanced, engines.tableName("AuditTable"));
        store = DynamoDbDeployStores.of(enhanced, engines.tableName("ReleasesTable"), ledger);
        files = new ReleaseFiles(engines.s3Client, engines.bucketName("ArtifactsBucket"));
    }

    private static String app() {
        return "rel-" + Long.toString(System.nanoTime() % 10_000_000_000L, 36);
    }

    private static String id() {
        return Ulid.next(Instant.now()).toLowerCase(Locale.ROOT);
    }

    private static AuditEvent event(String app, String action) {
        return AuditEvent.next(ledger.head(app), app, Instant.now(), ACTOR, action, "t", null, Json.object());
    }

    private static Release staged(String app) {
        return new Release(app, id(), "c0ffee", "7ree", "key-" + System.nanoTime(), "build", ReleaseStatus.STAGED, 0, 0,
                Instant.now(), null, null);
    }

    private static Release ready(String app) {
        Release r = staged(app);
        store.releases().putStaged(r);
        assertTrue(store.releases().markReady(r.ready(1, 10, Instant.now()), event(app, "release.ready")));
        return r.ready(1, 10, Instant.now());
    }

    @Test
    void aReleaseBecomesReadyOnceAndIsThenFoundByItsBuildKey() {
        String app = app();
        Release r = staged(app);
        store.releases().putStaged(r);
        store.releases().putStaged(r); // a retried stage
        assertTrue(store.releases().markReady(r.ready(3, 42, Instant.now()), event(app, "release.ready")));
        assertFalse(store.releases().markReady(r.ready(3, 42, Instant.now()), event(app, "release.ready")), "a repeat changes nothing");
        assertEquals(ReleaseStatus.READY, store.releases().get(app, r.id()).orElseThrow().status());
        assertEquals(r.id(), store.releases().readyReleaseFor(app, r.buildKey()).orElseThrow().id());
        assertThrows(WriteConflict.class, () -> store.releases().putStaged(r), "a READY release is never staged again");
        store.releases().markFailed(r);
        assertEquals(ReleaseStatus.READY, store.releases().get(app, r.id()).orElseThrow().status(), "a READY release is never failed");
        assertEquals(1, ledger.events(app, 1, 10).stream().filter(e -> e.action().equals("release.ready")).count());
    }

    @Test
    void anAliasMovesOnlyOntoAReadyRelease() {
        String app = app();
        Release notReady = staged(app);
        store.releases().putStaged(notReady);
        WriteConflict e = assertThrows(WriteConflict.class, () -> store.aliases().move(AliasMove.of(
                new Alias(app, Alias.PRODUCTION, notReady.id(), 1, Instant.now(), null), 0, List.of(event(app, "alias.moved")))));
        assertEquals(WriteConflict.Part.RELEASE, e.part());
        assertTrue(store.aliases().get(app, Alias.PRODUCTION).isEmpty());
        assertTrue(ledger.events(app, 1, 10).stream().noneMatch(x -> x.action().equals("alias.moved")), "no event without its change");
    }

    @Test
    void concurrentMovesOfOneAliasAreSerialisedByItsVersion() throws Exception {
        String app = app();
        Release first = ready(app);
        store.aliases().move(AliasMove.of(new Alias(app, Alias.PRODUCTION, first.id(), 1, Instant.now(), null), 0, List.of(event(app, "alias.moved"))));
        List<Release> candidates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            candidates.add(ready(app));
        }
        AtomicInteger won = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (Release c : candidates) {
                all.add(pool.submit(() -> {
                    try {
                        // Everyone read version 1; exactly one may move it.
                        store.aliases().move(AliasMove.of(new Alias(app, Alias.PRODUCTION, c.id(), 2, Instant.now(), null), 1,
                                List.of(AuditEvent.next(ledger.head(app), app, Instant.now(), ACTOR, "alias.moved", "alias/production", null, Json.object()))));
                        won.incrementAndGet();
                    } catch (WriteConflict lostRace) {
                        lost.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, won.get());
        assertEquals(7, lost.get());
        Alias now = store.aliases().get(app, Alias.PRODUCTION).orElseThrow();
        assertEquals(2, now.version());
        assertTrue(candidates.stream().anyMatch(c -> c.id().equals(now.releaseId())));
        assertEquals(2, ledger.events(app, 1, 100).stream().filter(x -> x.action().equals("alias.moved")).count());
        assertTrue(ledger.verify(app).valid());
    }

    @Test
    void stagedFilesAreCheckedAgainstTheManifest() throws IOException {
        String app = app();
        String rel = id();
        Manifest m = files.stageZip(app, rel, new java.io.ByteArrayInputStream(zip(
                "index.html", "<h1>hi</h1>", "assets/app-4f3a9c1b.js", "console.log(1)")));
        assertEquals(2, m.files().size());
        assertEquals(List.of(), files.verify(m));
        assertEquals(m, files.manifest(app, rel).orElseThrow());
        var head = engines.s3Client.headObject(r -> r.bucket(files.bucket()).key(SiteKeys.releasePrefix(app, rel) + "assets/app-4f3a9c1b.js"));
        assertEquals("public, max-age=31536000, immutable", head.cacheControl());
        assertTrue(head.contentType().startsWith("text/javascript"));

        // Changed, extra and missing files are all found by one listing.
        engines.s3Client.putObject(r -> r.bucket(files.bucket()).key(SiteKeys.releasePrefix(app, rel) + "index.html"),
                RequestBody.fromString("<h1>HI</h1>"));
        engines.s3Client.putObject(r -> r.bucket(files.bucket()).key(SiteKeys.releasePrefix(app, rel) + "extra.txt"),
                RequestBody.fromString("x"));
        engines.s3Client.deleteObject(r -> r.bucket(files.bucket()).key(SiteKeys.releasePrefix(app, rel) + "assets/app-4f3a9c1b.js"));
        List<String> problems = files.verify(m);
        assertEquals(3, problems.size(), problems.toString());

        assertEquals(2, files.delete(app, rel));
        assertTrue(files.manifest(app, rel).isEmpty());
    }

    /** Big files wait for the byte budget, not only for one of the 32 upload slots (a real export's build OOMed here). */
    @Test
    void bigFilesAreStagedWithinTheByteBudget() throws IOException {
        String app = app();
        String rel = id();
        ReleaseFiles budgeted = new ReleaseFiles(engines.s3Client, engines.bucketName("ArtifactsBucket"), 1L << 20);
        String[] entries = new String[2 * 24];
        String big = "x".repeat(300 * 1024);
        for (int i = 0; i < 24; i++) {
            entries[2 * i] = i == 0 ? "index.html" : "media/clip-" + i + ".bin";
            entries[2 * i + 1] = big + i;
        }
        Manifest m = budgeted.stageZip(app, rel, new java.io.ByteArrayInputStream(zip(entries)));
        assertEquals(24, m.files().size());
        assertEquals(List.of(), budgeted.verify(m));
        assertTrue(budgeted.peakInFlightBytes() <= (1L << 20) + 300 * 1024 + 100,
                "at most the budget and one file wait for S3: " + budgeted.peakInFlightBytes());
        assertTrue(budgeted.peakInFlightBytes() >= 300 * 1024, "files did wait: " + budgeted.peakInFlightBytes());
        // One file larger than the whole budget still goes through, alone.
        ReleaseFiles tiny = new ReleaseFiles(engines.s3Client, engines.bucketName("ArtifactsBucket"), 100 * 1024);
        Manifest one = tiny.stageZip(app, id(), new java.io.ByteArrayInputStream(zip("index.html", big, "a.bin", big)));
        assertEquals(2, one.files().size());
        assertTrue(tiny.peakInFlightBytes() <= 300 * 1024 + 100, "one at a time: " + tiny.peakInFlightBytes());
    }

    @Test
    void buildOutputThatClimbsOutOfTheReleaseIsRefused() {
        String app = app();
        String rel = id();
        assertThrows(IllegalArgumentException.class, () -> files.stageZip(app, rel,
                new java.io.ByteArrayInputStream(zip("../../git/other/pack.idx", "x"))));
        assertThrows(IllegalArgumentException.class, () -> files.stageZip(app, rel, new java.io.ByteArrayInputStream(zip())));
    }

    private static byte[] zip(String... pathsAndTexts) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(out)) {
                for (int i = 0; i < pathsAndTexts.length; i += 2) {
                    z.putNextEntry(new ZipEntry(pathsAndTexts[i]));
                    z.write(pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
                    z.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
