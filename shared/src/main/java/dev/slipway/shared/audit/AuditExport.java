package dev.slipway.shared.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Exports an app's audit chain to S3 in the style of CloudTrail log-file validation: each run
 * writes the events since the last export as JSON Lines ({@code audit/{appId}/{from}-{to}.jsonl},
 * one canonical event per line, oldest first) and a digest
 * ({@code audit-digests/{appId}/{to}.json}) naming the file, its SHA-256, the last event's hash and
 * the previous digest's key and SHA-256, so the digests form a chain of their own whose newest
 * SHA-256 is kept in DynamoDB.
 *
 * <p>Exactly-once: a run first CLAIMS the range in the app's export cursor (the reserved AuditTable
 * item at seq -1, compare-and-set on its version), then writes the file and the digest, then
 * moves the cursor past the range (compare-and-set again). The claimed range, the file's SHA-256 and
 * the digest's time are in the cursor, so the file and digest bytes are fully determined: a run
 * that finds a claim (another run's, or a crashed one's) finishes it with the same bytes instead of
 * exporting anything new. Writes skip objects that already hold exactly those bytes and refuse to
 * overwrite ones that do not.
 */
public final class AuditExport {
    static final long CURSOR_SEQ = -1;
    /** Events per file: a run over a long unexported trail writes several chained files. */
    public static final int MAX_EVENTS_PER_FILE = 5_000;
    private static final TableSchema<AuditExportItem> SCHEMA = TableSchema.fromBean(AuditExportItem.class);

    private final AuditLedger ledger;
    private final DynamoDbTable<AuditExportItem> table;
    private final S3Client s3;
    private final String bucket;
    private final Clock clock;

    public AuditExport(AuditLedger ledger, DynamoDbEnhancedClient client, String auditTable, S3Client s3, String bucket,
                       Clock clock) {
        this.ledger = ledger;
        this.table = client.table(auditTable, SCHEMA);
        this.s3 = s3;
        this.bucket = bucket;
        this.clock = clock;
    }

    public static String fileKey(String appId, long fromSeq, long toSeq) {
        return "audit/" + appId + "/" + fromSeq + "-" + toSeq + ".jsonl";
    }

    public static String digestKey(String appId, long toSeq) {
        return "audit-digests/" + appId + "/" + toSeq + ".json";
    }

    /** One file this run finished (with its digest). */
    public record ExportedFile(long fromSeq, long toSeq, int events, String fileKey, String fileSha256,
                               String digestKey, String digestSha256) {
    }

    /** What a run did: the files whose export it finished (possibly none) and how far the app is exported now. */
    public record Result(String appId, List<ExportedFile> files, long exportedSeq, String digestKey) {
    }

    /** The app's export state: how far it is exported and the newest digest (null before the first export). */
    public record State(long exportedSeq, String digestKey, String digestSha256, Long pendingToSeq) {
    }

    public State state(String appId) {
        AuditExportItem c = cursor(appId);
        return new State(exported(c), c.getDigestKey(), c.getDigestSha256(), c.getPendingToSeq());
    }

    /** Exports everything appended since the last export (finishing a claimed export first). */
    public Result export(String appId) {
        List<ExportedFile> files = new ArrayList<>();
        // Each pass claims or finishes one range, or stops; lost compare-and-sets just pass again.
        for (int pass = 0; pass < 10_000; pass++) {
            AuditExportItem cur = cursor(appId);
            if (cur.getPendingToSeq() != null) {
                finish(appId, cur).ifPresent(files::add);
                continue;
            }
            long exported = exported(cur);
            AuditHead head = ledger.head(appId);
            if (head.seq() <= exported) {
                return new Result(appId, files, exported, cur.getDigestKey());
            }
            long to = Math.min(head.seq(), exported + MAX_EVENTS_PER_FILE);
            List<AuditEvent> events = range(appId, exported + 1, to);
            AuditExportItem claim = copy(cur);
            claim.setPendingFromSeq(exported + 1);
            claim.setPendingToSeq(to);
            claim.setPendingFileSha256(sha256(jsonLines(events)));
            claim.setPendingLastEventHash(events.get(events.size() - 1).hash());
            claim.setPendingExportedAt(clock.instant().toString());
            if (compareAndSet(cur, claim)) {
                finish(appId, claim).ifPresent(files::add);
            }
        }
        throw new IllegalStateException("audit export of " + appId + " did not settle");
    }

    /** Writes the claimed file and digest (if not there yet) and moves the cursor past them. Empty: another run did. */
    private Optional<ExportedFile> finish(String appId, AuditExportItem claimed) {
        long from = claimed.getPendingFromSeq();
        long to = claimed.getPendingToSeq();
        byte[] file = jsonLines(range(appId, from, to));
        String fileSha = sha256(file);
        if (!fileSha.equals(claimed.getPendingFileSha256())) {
            throw new IllegalStateException("audit events " + from + ".." + to + " of " + appId
                    + " changed after their export was claimed; verify the chain");
        }
        String fileKey = fileKey(appId, from, to);
        putOnce(fileKey, file, "application/x-ndjson");
        ObjectNode digest = Json.object();
        digest.put("appId", appId);
        digest.put("fromSeq", from);
        digest.put("toSeq", to);
        digest.put("lastEventHash", claimed.getPendingLastEventHash());
        digest.put("fileKey", fileKey);
        digest.put("fileSha256", fileSha);
        digest.put("previousDigestKey", claimed.getDigestKey());
        digest.put("previousDigestSha256", claimed.getDigestSha256());
        digest.put("exportedAt", claimed.getPendingExportedAt());
        byte[] digestBytes = (Json.canonical(digest) + "\n").getBytes(StandardCharsets.UTF_8);
        String digestKey = digestKey(appId, to);
        putOnce(digestKey, digestBytes, "application/json");

        AuditExportItem done = copy(claimed);
        done.setExportedSeq(to);
        done.setDigestKey(digestKey);
        done.setDigestSha256(sha256(digestBytes));
        done.setPendingFromSeq(null);
        done.setPendingToSeq(null);
        done.setPendingFileSha256(null);
        done.setPendingLastEventHash(null);
        done.setPendingExportedAt(null);
        if (!compareAndSet(claimed, done)) {
            return Optional.empty();
        }
        return Optional.of(new ExportedFile(from, to, (int) (to - from + 1), fileKey, fileSha, digestKey, done.getDigestSha256()));
    }

    /** The result of walking an app's digest chain back from the newest digest. */
    public record Verification(boolean valid, int digests, long toSeq, String brokenKey, Long brokenAtSeq, String reason) {
        static Verification ok(int digests, long toSeq) {
            return new Verification(true, digests, toSeq, null, null, null);
        }

        static Verification broken(int digests, long toSeq, String key, Long seq, String reason) {
            return new Verification(false, digests, toSeq, key, seq, reason);
        }
    }

    /**
     * Walks the digests from the newest (whose SHA-256 the cursor holds) back to the first: each
     * digest's bytes must hash to what its successor recorded, each file to its digest's fileSha256,
     * the files must cover 1..toSeq without gap or overlap, and every exported event must re-hash,
     * link to its predecessor and equal the live chain's event of that seq.
     */
    public Verification verify(String appId) {
        AuditExportItem cur = cursor(appId);
        long toSeq = exported(cur);
        if (cur.getDigestKey() == null) {
            return Verification.ok(0, 0);
        }
        Map<Long, String> live = new HashMap<>();
        for (AuditEvent e : ledger.events(appId, 1, (int) Math.min(Integer.MAX_VALUE, toSeq))) {
            live.put(e.seq(), e.hash());
        }
        String key = cur.getDigestKey();
        String expectedSha = cur.getDigestSha256();
        long expectedTo = toSeq;
        int digests = 0;
        while (key != null) {
            Optional<byte[]> bytes = get(key);
            if (bytes.isEmpty()) {
                return Verification.broken(digests, toSeq, key, null, "digest is missing");
            }
            if (!sha256(bytes.get()).equals(expectedSha)) {
                return Verification.broken(digests, toSeq, key, null, digests == 0
                        ? "digest does not hash to the SHA-256 the export cursor recorded"
                        : "digest does not hash to the previousDigestSha256 of the digest after it");
            }
            JsonNode d;
            try {
                d = Json.parse(new String(bytes.get(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                return Verification.broken(digests, toSeq, key, null, "digest is not JSON");
            }
            long from = d.path("fromSeq").asLong(-1);
            long to = d.path("toSeq").asLong(-1);
            if (!appId.equals(d.path("appId").asText()) || to != expectedTo || from < 1 || from > to
                    || !key.equals(digestKey(appId, to)) || !fileKey(appId, from, to).equals(d.path("fileKey").asText())) {
                return Verification.broken(digests, toSeq, key, null,
                        "digest does not continue the chain (expected events up to " + expectedTo + ")");
            }
            String fileKey = d.path("fileKey").asText();
            Optional<byte[]> file = get(fileKey);
            if (file.isEmpty()) {
                return Verification.broken(digests, toSeq, fileKey, null, "file is missing");
            }
            if (!sha256(file.get()).equals(d.path("fileSha256").asText())) {
                return Verification.broken(digests, toSeq, fileKey, null, "file does not hash to the fileSha256 of its digest");
            }
            String problem = checkLines(appId, file.get(), from, to, d.path("lastEventHash").asText(), live);
            if (problem != null) {
                return Verification.broken(digests, toSeq, fileKey, null, problem);
            }
            digests++;
            expectedTo = from - 1;
            expectedSha = d.path("previousDigestSha256").isTextual() ? d.get("previousDigestSha256").asText() : null;
            key = d.path("previousDigestKey").isTextual() ? d.get("previousDigestKey").asText() : null;
            if (key == null && from != 1) {
                return Verification.broken(digests, toSeq, digestKey(appId, to), null,
                        "the first digest covers events from " + from + ", not from 1");
            }
        }
        return Verification.ok(digests, toSeq);
    }

    private static String checkLines(String appId, byte[] file, long from, long to, String lastHash, Map<Long, String> live) {
        String[] lines = new String(file, StandardCharsets.UTF_8).split("\n");
        if (lines.length != to - from + 1) {
            return "file holds " + lines.length + " events, its digest names " + (to - from + 1);
        }
        String prev = null;
        for (int i = 0; i < lines.length; i++) {
            long seq = from + i;
            AuditEvent e;
            try {
                e = AuditEvent.fromJson(Json.parse(lines[i]));
            } catch (RuntimeException ex) {
                return "line " + (i + 1) + " is not an audit event";
            }
            if (e.seq() != seq || !appId.equals(e.appId())) {
                return "line " + (i + 1) + " is event " + e.seq() + ", expected " + seq;
            }
            if (!e.computeHash().equals(e.hash())) {
                return "event " + seq + " does not hash to its hash";
            }
            if (prev != null ? !prev.equals(e.prevHash()) : (seq == 1 && !AuditEvent.GENESIS.equals(e.prevHash()))) {
                return "event " + seq + " does not link to the event before it";
            }
            if (!Objects.equals(live.get(seq), e.hash())) {
                return "event " + seq + " does not match the live chain";
            }
            if (seq > 1 && !Objects.equals(live.get(seq - 1), e.prevHash())) {
                return "event " + seq + " does not link to the live chain's event " + (seq - 1);
            }
            prev = e.hash();
        }
        if (!Objects.equals(prev, lastHash)) {
            return "the digest's lastEventHash is not the file's last event";
        }
        return null;
    }

    /**
     * Events from..to, checked before they are exported: none missing, each re-hashes, each links
     * to the one before it (the first to event from-1). A broken chain is not exported.
     */
    private List<AuditEvent> range(String appId, long from, long to) {
        long start = Math.max(1, from - 1);
        List<AuditEvent> read = ledger.events(appId, start, (int) (to - start + 1));
        String prev = AuditEvent.GENESIS;
        for (int i = 0; i < read.size(); i++) {
            AuditEvent e = read.get(i);
            if (e.seq() != start + i) {
                throw new DomainException(DomainError.AUDIT_CHAIN_BROKEN,
                        "audit event " + (start + i) + " of " + appId + " is missing; GET /apps/" + appId + "/audit/verify names where the chain breaks");
            }
            if (!e.computeHash().equals(e.hash()) || (e.seq() >= from && !prev.equals(e.prevHash()))) {
                throw new DomainException(DomainError.AUDIT_CHAIN_BROKEN,
                        "audit event " + e.seq() + " of " + appId + " does not verify; not exporting it");
            }
            prev = e.hash();
        }
        if (read.size() != to - start + 1) {
            throw new IllegalStateException("audit events " + (start + read.size()) + ".." + to + " of " + appId + " are missing");
        }
        return from == start ? read : read.subList(1, read.size());
    }

    static byte[] jsonLines(List<AuditEvent> events) {
        StringBuilder out = new StringBuilder();
        for (AuditEvent e : events) {
            out.append(Json.canonical(e.toJson())).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the bytes unless the key already holds exactly them; never overwrites other content. */
    private void putOnce(String key, byte[] bytes, String contentType) {
        Optional<byte[]> existing = get(key);
        if (existing.isPresent()) {
            if (Arrays.equals(existing.get(), bytes)) {
                return;
            }
            throw new IllegalStateException(key + " already exists with other content; not overwriting it");
        }
        s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    /**
     * The object's bytes, or empty when there is none. Existence is asked with a prefix listing: the
     * functions may list only the audit prefixes, and without ListBucket a GET of a missing key is a
     * 403, not a 404.
     */
    private Optional<byte[]> get(String key) {
        boolean exists = s3.listObjectsV2(r -> r.bucket(bucket).prefix(key).maxKeys(1)).contents().stream()
                .anyMatch(o -> o.key().equals(key));
        if (!exists) {
            return Optional.empty();
        }
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    private AuditExportItem cursor(String appId) {
        AuditExportItem item = table.getItem(r -> r.key(Key.builder().partitionValue(appId).sortValue(CURSOR_SEQ).build())
                .consistentRead(true));
        if (item == null) {
            item = new AuditExportItem();
            item.setAppId(appId);
            item.setSeq(CURSOR_SEQ);
        }
        return item;
    }

    private static long exported(AuditExportItem c) {
        return c.getExportedSeq() == null ? 0 : c.getExportedSeq();
    }

    /** Puts {@code next} if the cursor is still at {@code read}'s version; false if another run moved it. */
    private boolean compareAndSet(AuditExportItem read, AuditExportItem next) {
        Expression condition = read.getVersion() == null
                ? Expression.builder().expression("attribute_not_exists(appId)").build()
                : Expression.builder().expression("version = :v")
                        .putExpressionValue(":v", AttributeValue.fromN(Long.toString(read.getVersion()))).build();
        next.setVersion(read.getVersion() == null ? 1 : read.getVersion() + 1);
        try {
            table.putItem(PutItemEnhancedRequest.builder(AuditExportItem.class).item(next).conditionExpression(condition).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AuditExportItem copy(AuditExportItem c) {
        AuditExportItem n = new AuditExportItem();
        n.setAppId(c.getAppId());
        n.setSeq(c.getSeq());
        n.setVersion(c.getVersion());
        n.setExportedSeq(c.getExportedSeq());
        n.setDigestKey(c.getDigestKey());
        n.setDigestSha256(c.getDigestSha256());
        n.setPendingFromSeq(c.getPendingFromSeq());
        n.setPendingToSeq(c.getPendingToSeq());
        n.setPendingFileSha256(c.getPendingFileSha256());
        n.setPendingLastEventHash(c.getPendingLastEventHash());
        n.setPendingExportedAt(c.getPendingExportedAt());
        return n;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
