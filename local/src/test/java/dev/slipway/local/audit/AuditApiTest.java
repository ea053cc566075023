package dev.slipway.local.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditExport;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit trail end to end through `slipway up`'s HTTP API, on the embedded engines: list, verify, tamper, export. */
class AuditApiTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().build();
    private static DynamoDbClient dynamo;
    private static S3Client s3;
    private static String auditTable;
    private static String bucket;
    private static AuditLedger ledger;

    @BeforeAll
    static void up() throws Exception {
        dynamo = slipway.dynamo();
        s3 = slipway.s3();
        auditTable = slipway.tableName("AuditTable");
        bucket = slipway.bucket();
        ledger = new AuditLedger(slipway.enhanced(), auditTable);
    }

    private static JsonNode ok(String method, String path, String json, int status) throws Exception {
        HttpResponse<String> r = slipway.api().json(method, path, json);
        assertEquals(status, r.statusCode(), r.body());
        return Json.parse(r.body());
    }

    private static JsonNode get(String path) throws Exception {
        return ok("GET", path, null, 200);
    }

    /** An app with three events: created, renamed, one import. */
    private static String appWithHistory(String id) throws Exception {
        ok("POST", "/apps", "{\"id\":\"" + id + "\",\"name\":\"Audit " + id + "\"}", 201);
        ok("PATCH", "/apps/" + id, "{\"name\":\"Audit " + id + " (renamed)\"}", 200);
        HttpResponse<String> imported = slipway.api().send("POST", "/apps/" + id + "/imports", Exports.zip("site", Exports.lovable(id)),
                "application/zip");
        assertEquals(201, imported.statusCode(), imported.body());
        return id;
    }

    private static Map<String, AttributeValue> key(String app, long seq) {
        return Map.of("appId", AttributeValue.fromS(app), "seq", AttributeValue.fromN(Long.toString(seq)));
    }

    private static Map<String, AttributeValue> item(String app, long seq) {
        return dynamo.getItem(r -> r.tableName(auditTable).key(key(app, seq)).consistentRead(true)).item();
    }

    private static void put(Map<String, AttributeValue> item) {
        dynamo.putItem(r -> r.tableName(auditTable).item(item));
    }

    @Test
    void theTrailListsEveryChangeOldestFirstAndPages() throws Exception {
        String app = appWithHistory("audit-list");
        JsonNode page = get("/apps/" + app + "/audit");
        JsonNode events = page.get("events");
        List<String> actions = new ArrayList<>();
        events.forEach(e -> actions.add(e.get("action").asText()));
        assertEquals(List.of("app.created", "app.updated", "import.committed"), actions);
        assertTrue(page.get("nextCursor").isNull());
        String prev = AuditEvent.GENESIS;
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals(i + 1, e.get("seq").asLong());
            for (String f : List.of("seq", "time", "actor", "action", "target", "before", "after", "requestId", "sourceIp",
                    "prevHash", "hash")) {
                assertTrue(e.has(f), f + " in " + e);
            }
            assertEquals(Actor.ADMIN, e.get("actor").asText());
            assertEquals("127.0.0.1", e.get("sourceIp").asText());
            assertFalse(e.get("requestId").asText().isEmpty());
            assertEquals(prev, e.get("prevHash").asText());
            prev = e.get("hash").asText();
        }
        assertEquals("Audit audit-list (renamed)", events.get(1).at("/after/name").asText(), events.get(1).toString());

        JsonNode first = get("/apps/" + app + "/audit?limit=2");
        assertEquals(2, first.get("events").size());
        String cursor = first.get("nextCursor").asText();
        JsonNode second = get("/apps/" + app + "/audit?limit=2&cursor=" + cursor);
        assertEquals(1, second.get("events").size());
        assertEquals(3, second.at("/events/0/seq").asLong());
        assertTrue(second.get("nextCursor").isNull());

        JsonNode verify = get("/apps/" + app + "/audit/verify");
        assertTrue(verify.get("valid").asBoolean(), verify.toString());
        assertEquals(3, verify.get("events").asLong());
        assertEquals(prev, verify.get("head").asText());

        assertEquals(404, slipway.api().send("GET", "/apps/no-such-app/audit", null, null).statusCode());
        assertEquals(400, slipway.api().send("GET", "/apps/" + app + "/audit?cursor=%21%21", null, null).statusCode());
        assertEquals(400, slipway.api().send("GET", "/apps/" + app + "/audit?limit=0", null, null).statusCode());
    }

    @Test
    void verifyNamesTheSeqOfAChangedRemovedOrInsertedEvent() throws Exception {
        String app = appWithHistory("audit-tamper");
        String verifyPath = "/apps/" + app + "/audit/verify";
        assertTrue(get(verifyPath).get("valid").asBoolean());

        // A changed field: `after` of event 2 rewritten in place.
        Map<String, AttributeValue> original = item(app, 2);
        Map<String, AttributeValue> changed = new java.util.HashMap<>(original);
        changed.put("after", AttributeValue.fromS("{\"name\":\"Someone else\"}"));
        put(changed);
        JsonNode broken = get(verifyPath);
        assertFalse(broken.get("valid").asBoolean());
        assertEquals(2, broken.get("brokenAtSeq").asLong(), broken.toString());
        assertEquals(1, broken.get("events").asLong());
        assertTrue(broken.get("reason").asText().contains("hash"), broken.toString());
        put(original);
        assertTrue(get(verifyPath).get("valid").asBoolean());

        // The actor changed.
        Map<String, AttributeValue> otherActor = new java.util.HashMap<>(item(app, 1));
        otherActor.put("actor", AttributeValue.fromS("mallory"));
        put(otherActor);
        assertEquals(1, get(verifyPath).get("brokenAtSeq").asLong());
        put(item(app, 1).entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getKey().equals("actor") ? AttributeValue.fromS(Actor.ADMIN) : e.getValue())));
        assertTrue(get(verifyPath).get("valid").asBoolean());

        // A removed event: the gap is named.
        Map<String, AttributeValue> second = item(app, 2);
        dynamo.deleteItem(r -> r.tableName(auditTable).key(key(app, 2)));
        JsonNode gap = get(verifyPath);
        assertFalse(gap.get("valid").asBoolean());
        assertEquals(2, gap.get("brokenAtSeq").asLong(), gap.toString());
        assertTrue(gap.get("reason").asText().contains("missing"), gap.toString());
        put(second);
        assertTrue(get(verifyPath).get("valid").asBoolean());

        // The newest event removed: the head names it.
        Map<String, AttributeValue> third = item(app, 3);
        dynamo.deleteItem(r -> r.tableName(auditTable).key(key(app, 3)));
        assertEquals(3, get(verifyPath).get("brokenAtSeq").asLong());
        put(third);

        // An event inserted past the head (even one that links correctly).
        AuditEvent forged = AuditEvent.next(ledger.head(app), app, Instant.now(), new Actor("mallory", "r", "10.0.0.1"),
                "app.updated", "app/" + app, null, Json.object());
        Map<String, AttributeValue> forgedItem = new java.util.HashMap<>(third);
        forgedItem.put("seq", AttributeValue.fromN("4"));
        forgedItem.put("prevHash", AttributeValue.fromS(forged.prevHash()));
        put(forgedItem);
        JsonNode inserted = get(verifyPath);
        assertFalse(inserted.get("valid").asBoolean());
        assertEquals(4, inserted.get("brokenAtSeq").asLong(), inserted.toString());
        dynamo.deleteItem(r -> r.tableName(auditTable).key(key(app, 4)));

        JsonNode restored = get(verifyPath);
        assertTrue(restored.get("valid").asBoolean(), restored.toString());
        assertEquals(3, restored.get("events").asLong());
    }

    @Test
    void severalEventsCommitInOneTransactionWithOneHeadMove() throws Exception {
        String app = appWithHistory("audit-batch");
        Actor actor = new Actor(Actor.ADMIN, "req-batch", "127.0.0.1");
        AuditEvent finished = AuditEvent.next(ledger.head(app), app, Instant.now(), actor, "deployment.succeeded",
                "deployment/d1", null, Json.object().put("status", "SUCCEEDED"));
        AuditEvent moved = AuditEvent.next(finished.asHead(), app, Instant.now(), actor, "alias.moved", "alias/production",
                null, Json.object().put("releaseId", "r1"));
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
        TransactWriteItemsEnhancedRequest.Builder tx = TransactWriteItemsEnhancedRequest.builder();
        assertEquals(3, ledger.appendTo(tx, List.of(finished, moved)).size());
        enhanced.transactWriteItems(tx.build());
        assertEquals(5, ledger.head(app).seq());
        assertEquals(moved.hash(), ledger.head(app).hash());
        JsonNode events = get("/apps/" + app + "/audit").get("events");
        assertEquals("deployment.succeeded", events.get(3).get("action").asText());
        assertEquals("alias.moved", events.get(4).get("action").asText());
        assertTrue(get("/apps/" + app + "/audit/verify").get("valid").asBoolean());

        // A stale batch (built on seq 3) loses as a whole: neither event is written.
        TransactWriteItemsEnhancedRequest.Builder stale = TransactWriteItemsEnhancedRequest.builder();
        ledger.appendTo(stale, List.of(finished, moved));
        assertThrows(TransactionCanceledException.class, () -> enhanced.transactWriteItems(stale.build()));
        assertEquals(5, ledger.head(app).seq());

        // Events that are not consecutive links are refused before anything is written.
        AuditEvent unlinked = AuditEvent.next(ledger.head(app), app, Instant.now(), actor, "x", "t", null, null);
        assertThrows(IllegalArgumentException.class,
                () -> ledger.appendTo(TransactWriteItemsEnhancedRequest.builder(), List.of(unlinked, unlinked)));
        assertThrows(IllegalArgumentException.class, () -> ledger.appendTo(TransactWriteItemsEnhancedRequest.builder(), List.of()));
    }

    private static byte[] object(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
    }

    private static void putObject(String key, byte[] bytes) {
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    @Test
    void exportsWriteChainedFilesAndDigestsThatVerify() throws Exception {
        String app = appWithHistory("audit-export");
        String export = "/apps/" + app + "/audit/export";
        String verify = "/apps/" + app + "/audit/exports/verify";
        JsonNode none = get(verify);
        assertTrue(none.get("valid").asBoolean());
        assertEquals(0, none.get("digests").asInt());

        JsonNode first = ok("POST", export, null, 200);
        assertEquals(3, first.get("exportedSeq").asLong());
        assertEquals(1, first.get("files").size());
        assertEquals("audit/" + app + "/1-3.jsonl", first.at("/files/0/fileKey").asText());
        assertEquals("audit-digests/" + app + "/3.json", first.at("/files/0/digestKey").asText());
        JsonNode nothingNew = ok("POST", export, null, 200);
        assertEquals(0, nothingNew.get("files").size());
        assertEquals(3, nothingNew.get("exportedSeq").asLong());

        ok("PATCH", "/apps/" + app, "{\"name\":\"Exported twice\"}", 200);
        ok("PATCH", "/apps/" + app, "{\"name\":\"Exported twice, again\"}", 200);
        JsonNode second = ok("POST", export, null, 200);
        assertEquals(5, second.get("exportedSeq").asLong());
        assertEquals("audit/" + app + "/4-5.jsonl", second.at("/files/0/fileKey").asText());

        // The files: one canonical event per line, the same events the API lists.
        String lines = new String(object("audit/" + app + "/1-3.jsonl"), StandardCharsets.UTF_8);
        assertEquals(3, lines.split("\n").length);
        JsonNode listed = get("/apps/" + app + "/audit").get("events");
        assertEquals(listed.get(2).get("hash").asText(), Json.parse(lines.split("\n")[2]).get("hash").asText());
        // The digests: the second names the first.
        JsonNode d1 = Json.parse(new String(object("audit-digests/" + app + "/3.json"), StandardCharsets.UTF_8));
        JsonNode d2 = Json.parse(new String(object("audit-digests/" + app + "/5.json"), StandardCharsets.UTF_8));
        assertEquals(1, d1.get("fromSeq").asLong());
        assertTrue(d1.get("previousDigestKey").isNull());
        assertEquals(listed.get(2).get("hash").asText(), d1.get("lastEventHash").asText());
        assertEquals(4, d2.get("fromSeq").asLong());
        assertEquals(5, d2.get("toSeq").asLong());
        assertEquals("audit-digests/" + app + "/3.json", d2.get("previousDigestKey").asText());
        assertEquals(sha256(object("audit-digests/" + app + "/3.json")), d2.get("previousDigestSha256").asText());
        assertEquals(sha256(object("audit/" + app + "/4-5.jsonl")), d2.get("fileSha256").asText());
        for (String f : List.of("appId", "fromSeq", "toSeq", "lastEventHash", "fileKey", "fileSha256", "previousDigestKey",
                "previousDigestSha256", "exportedAt")) {
            assertTrue(d2.has(f), f);
        }

        JsonNode valid = get(verify);
        assertTrue(valid.get("valid").asBoolean(), valid.toString());
        assertEquals(2, valid.get("digests").asInt());
        assertEquals(5, valid.get("toSeq").asLong());

        // A file's bytes altered (one character of an event): named.
        String fileKey = "audit/" + app + "/1-3.jsonl";
        byte[] file = object(fileKey);
        putObject(fileKey, new String(file, StandardCharsets.UTF_8).replace("(renamed)", "(RENAMED)").getBytes(StandardCharsets.UTF_8));
        JsonNode badFile = get(verify);
        assertFalse(badFile.get("valid").asBoolean());
        assertEquals(fileKey, badFile.get("brokenKey").asText(), badFile.toString());
        putObject(fileKey, file);
        assertTrue(get(verify).get("valid").asBoolean());

        // A digest altered (even re-pointed at a self-consistent forged file): named.
        String digestKey = "audit-digests/" + app + "/3.json";
        byte[] digest = object(digestKey);
        putObject(digestKey, new String(digest, StandardCharsets.UTF_8).replace("\"exportedAt\":\"", "\"exportedAt\":\"1")
                .getBytes(StandardCharsets.UTF_8));
        JsonNode badDigest = get(verify);
        assertFalse(badDigest.get("valid").asBoolean());
        assertEquals(digestKey, badDigest.get("brokenKey").asText(), badDigest.toString());
        putObject(digestKey, digest);
        assertTrue(get(verify).get("valid").asBoolean());

        // A tampered live chain is not exported: the run fails and the cursor stays.
        ok("PATCH", "/apps/" + app, "{\"name\":\"Not exported while tampered\"}", 200);
        Map<String, AttributeValue> sixth = item(app, 6);
        Map<String, AttributeValue> forged = new java.util.HashMap<>(sixth);
        forged.put("actor", AttributeValue.fromS("mallory"));
        put(forged);
        var refused = slipway.api().send("POST", export, null, null);
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("urn:slipway:problem:audit-chain-broken"), refused.body());
        assertEquals(5, get(verify).get("toSeq").asLong());
        put(sixth);
        assertEquals(6, ok("POST", export, null, 200).get("exportedSeq").asLong());

        // A file deleted: named.
        s3.deleteObject(r -> r.bucket(bucket).key("audit/" + app + "/4-5.jsonl"));
        JsonNode missing = get(verify);
        assertEquals("audit/" + app + "/4-5.jsonl", missing.get("brokenKey").asText(), missing.toString());
        assertTrue(missing.get("reason").asText().contains("missing"));
    }

    @Test
    void concurrentExportsWriteEachEventOnceAndACrashedExportIsFinished() throws Exception {
        String app = appWithHistory("audit-race");
        for (int i = 0; i < 5; i++) {
            ok("PATCH", "/apps/" + app, "{\"name\":\"Race " + i + "\"}", 200);
        }
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
        int runs = 4;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CyclicBarrier start = new CyclicBarrier(runs);
        List<Future<AuditExport.Result>> results = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                AuditExport export = new AuditExport(ledger, enhanced, auditTable, s3, bucket, Clock.systemUTC());
                results.add(pool.submit(() -> {
                    start.await();
                    return export.export(app);
                }));
            }
            List<AuditExport.ExportedFile> files = new ArrayList<>();
            for (Future<AuditExport.Result> r : results) {
                AuditExport.Result result = r.get();
                assertEquals(8, result.exportedSeq());
                files.addAll(result.files());
            }
            // Every event in exactly one file, whichever run finished it.
            Set<Long> seqs = new HashSet<>();
            for (AuditExport.ExportedFile f : files) {
                for (long s = f.fromSeq(); s <= f.toSeq(); s++) {
                    assertTrue(seqs.add(s), "event " + s + " exported twice: " + files);
                }
            }
            assertEquals(8, seqs.size(), files.toString());
        } finally {
            pool.shutdownNow();
        }
        List<String> keys = s3.listObjectsV2(r -> r.bucket(bucket).prefix("audit/" + app + "/")).contents().stream()
                .map(o -> o.key()).toList();
        assertEquals(1, keys.size(), keys.toString());
        assertTrue(get("/apps/" + app + "/audit/exports/verify").get("valid").asBoolean());

        // A crash after the file was written but before the digest: the claim stays in the cursor and
        // the next run finishes it (same file, no duplicate), then exports what is new.
        ok("PATCH", "/apps/" + app, "{\"name\":\"After the race\"}", 200);
        S3Client crashingS3 = new CrashAfterFirstPut(s3);
        AuditExport crashing = new AuditExport(ledger, enhanced, auditTable, crashingS3, bucket, Clock.systemUTC());
        assertThrows(IllegalStateException.class, () -> crashing.export(app));
        AuditExport.State claimed = new AuditExport(ledger, enhanced, auditTable, s3, bucket, Clock.systemUTC()).state(app);
        assertEquals(9, claimed.pendingToSeq());
        assertEquals(8, claimed.exportedSeq());
        assertNotNull(object("audit/" + app + "/9-9.jsonl"));
        ok("PATCH", "/apps/" + app, "{\"name\":\"After the crash\"}", 200);
        JsonNode resumed = ok("POST", "/apps/" + app + "/audit/export", null, 200);
        assertEquals(10, resumed.get("exportedSeq").asLong());
        assertEquals(2, resumed.get("files").size(), resumed.toString());
        assertEquals("audit/" + app + "/9-9.jsonl", resumed.at("/files/0/fileKey").asText());
        assertEquals("audit/" + app + "/10-10.jsonl", resumed.at("/files/1/fileKey").asText());
        JsonNode verified = get("/apps/" + app + "/audit/exports/verify");
        assertTrue(verified.get("valid").asBoolean(), verified.toString());
        assertEquals(3, verified.get("digests").asInt());
        assertNull(new AuditExport(ledger, enhanced, auditTable, s3, bucket, Clock.systemUTC()).state(app).pendingToSeq());
    }

    @Test
    void theScheduledExportCoversEveryApp() throws Throwable {
        String a = appWithHistory("audit-sched-a");
        String b = appWithHistory("audit-sched-b");
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) slipway.runtime().functions().invoke("AuditExportFunction",
                Json.MAPPER.readValue(EmbeddedEngines.repoRoot().resolve("events/audit-export/scheduled.json").toFile(), Map.class));
        assertTrue(((Number) out.get("files")).intValue() >= 2, out.toString());
        for (String app : List.of(a, b)) {
            JsonNode v = get("/apps/" + app + "/audit/exports/verify");
            assertTrue(v.get("valid").asBoolean(), v.toString());
            assertEquals(3, v.get("toSeq").asLong());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** An S3 client whose second PUT (the digest) fails, as if the function died between the file and the digest. */
    private static final class CrashAfterFirstPut implements S3Client {
        private final S3Client delegate;
        private int puts;

        CrashAfterFirstPut(S3Client delegate) {
            this.delegate = delegate;
        }

        @Override
        public software.amazon.awssdk.services.s3.model.PutObjectResponse putObject(
                software.amazon.awssdk.services.s3.model.PutObjectRequest request, RequestBody body) {
            if (++puts > 1) {
                throw new IllegalStateException("crash before the digest");
            }
            return delegate.putObject(request, body);
        }

        @Override
        public software.amazon.awssdk.services.s3.model.ListObjectsV2Response listObjectsV2(
                software.amazon.awssdk.services.s3.model.ListObjectsV2Request request) {
            return delegate.listObjectsV2(request);
        }

        @Override
        public <T> T getObject(software.amazon.awssdk.services.s3.model.GetObjectRequest request,
                               software.amazon.awssdk.core.sync.ResponseTransformer<software.amazon.awssdk.services.s3.model.GetObjectResponse, T> transformer) {
            return delegate.getObject(request, transformer);
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
        }
    }
}
