package dev.slipway.shared.data.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.DataWorkflow;
import dev.slipway.shared.data.link.DatabaseLink;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.move.MoveFinding;
import dev.slipway.shared.data.move.MoveFindings;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.IOException;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backups and restores of an app's linked database (docs/data.md). A backup is a record
 * {@code backup#<id>} in the data table: RUNNING (with a lease) → VERIFIED once dumped and restored into
 * a scratch database with equal counts and checksums, or FAILED (the dump or the verification failed,
 * or its lease ran out: a killed run); only VERIFIED backups can be downloaded or restored. Each change
 * of state writes its audit event; the work runs in the data workflow ({@link #runBackup},
 * {@link #verifyBackup}, {@link #runRestore}, {@link #markFailed}), the schedule in {@link #scheduled}.
 */
public final class Backups {
    public static final String RUNNING = "RUNNING";
    public static final String VERIFIED = "VERIFIED";
    public static final String FAILED = "FAILED";
    public static final String SUCCEEDED = "SUCCEEDED";
    static final String BACKUP = "backup#";
    static final String RESTORE = "restore#";
    static final String POLICY = "backup-policy";
    static final String CONFIRM = "overwrite-linked-database";
    private static final int ATTEMPTS = 5;

    /** How often the schedule backs an app up and what it keeps. */
    public record Policy(int everyHours, int keepCount, int keepDays) {
        public static final Policy DEFAULT = new Policy(24, 14, 30);
        static final Set<String> FIELDS = Set.of("everyHours", "keepCount", "keepDays");

        public ObjectNode json() {
            ObjectNode n = Json.object();
            n.put("everyHours", everyHours);
            n.put("keepCount", keepCount);
            n.put("keepDays", keepDays);
            return n;
        }

        static Policy of(JsonNode n) {
            return new Policy(n.get("everyHours").asInt(), n.get("keepCount").asInt(), n.get("keepDays").asInt());
        }

        public static Policy fromJson(ObjectNode body) {
            JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
            int every = bounded(in, "everyHours", DEFAULT.everyHours(), 0, 24 * 30);
            int count = bounded(in, "keepCount", DEFAULT.keepCount(), 1, 1000);
            int days = bounded(in, "keepDays", DEFAULT.keepDays(), 1, 3650);
            in.throwIfInvalid();
            return new Policy(every, count, days);
        }

        private static int bounded(JsonObjectReader in, String field, int fallback, int min, int max) {
            long v = in.longValue(field).orElse((long) fallback);
            if (v < min || v > max) {
                in.error(field, "must be " + min + " to " + max + (field.equals("everyHours") ? " (0: no scheduled backups)" : ""));
            }
            return (int) v;
        }
    }

    /** What {@code POST …/restores} asks for. */
    public record RestoreRequest(String backupId, DatabaseUrl target, boolean confirmed) {
        static final Set<String> FIELDS = Set.of("backupId", "targetUrl", "confirm");

        public static RestoreRequest fromJson(ObjectNode body) {
            JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
            String backupId = in.string("backupId").orElse(null);
            if (backupId == null || !Ulid.isValid(backupId)) {
                in.error("backupId", "must be a backup's id");
            }
            String url = in.string("targetUrl").orElse(null);
            if (url == null) {
                in.error("targetUrl", "is required");
            }
            String confirm = in.string("confirm").orElse(null);
            if (confirm != null && !confirm.equals(CONFIRM)) {
                in.error("confirm", "must be \"" + CONFIRM + "\" when given");
            }
            in.throwIfInvalid();
            return new RestoreRequest(backupId, DatabaseUrl.parse(url, "/targetUrl"), confirm != null);
        }

        @Override
        public String toString() {
            return "RestoreRequest[" + backupId + " → " + target + "]";
        }
    }

    private final AppService apps;
    private final DataRecords records;
    private final DatabaseLinks links;
    private final BackupEngine engine;
    private final S3Presigner presigner;
    private final String bucket;
    private final Supplier<PostgresServer> scratch;
    private final DataWorkflow workflow;
    private final Duration lease;
    private final Clock clock;

    public Backups(AppService apps, DataRecords records, DatabaseLinks links, BackupEngine engine, S3Presigner presigner, String bucket,
                   Supplier<PostgresServer> scratch, DataWorkflow workflow, Duration lease, Clock clock) {
        this.apps = apps;
        this.records = records;
        this.links = links;
        this.engine = engine;
        this.presigner = presigner;
        this.bucket = bucket;
        this.scratch = scratch;
        this.workflow = workflow;
        this.lease = lease;
        this.clock = clock;
    }

    // ---- the API

    /** Starts a backup of the linked database: RUNNING until the workflow verifies or fails it. */
    public ObjectNode start(String appId, String trigger, Actor actor) {
        apps.get(AppId.require(appId));
        DatabaseLink link = links.get(appId);
        String id = Ulid.next(clock.instant());
        Instant now = clock.instant();
        ObjectNode b = Json.object();
        b.put("backupId", id);
        b.put("appId", appId);
        b.put("status", RUNNING);
        b.put("trigger", trigger);
        b.put("kind", link.kind());
        b.put("database", link.host() + ":" + link.port() + "/" + link.database());
        b.put("startedAt", now.toString());
        b.put("leaseUntil", now.plus(lease).toString());
        write(appId, BACKUP + id, 0, b, actor, "database.backup.started", null);
        workflow.startJob("backup", appId, "backupId", id, why -> markFailed(appId, id, why));
        return b;
    }

    /** The app's backups, newest first (failed ones too: a backup that did not verify is shown, never hidden). */
    public List<ObjectNode> list(String appId) {
        apps.get(AppId.require(appId));
        List<ObjectNode> out = new ArrayList<>();
        records.list(appId, BACKUP).forEach(s -> out.add(view(s.body())));
        out.sort(Comparator.comparing((ObjectNode n) -> n.get("backupId").asText()).reversed());
        return out;
    }

    public ObjectNode get(String appId, String backupId) {
        apps.get(AppId.require(appId));
        return view(backup(appId, backupId).body());
    }

    /** A presigned GET of a VERIFIED backup's object (encrypted; docs/data.md says how to decrypt it), valid 15 minutes. */
    public ObjectNode download(String appId, String backupId, Actor actor) {
        apps.get(AppId.require(appId));
        DataRecords.Stored b = backup(appId, backupId);
        requireVerified(b.body());
        Duration valid = Duration.ofMinutes(15);
        URL url = presigner.presignGetObject(r -> r.signatureDuration(valid)
                .getObjectRequest(g -> g.bucket(bucket).key(BackupEngine.objectKey(appId, backupId)))).url();
        audit(appId, actor, "database.backup.downloaded", "database/backup/" + backupId, null, null);
        ObjectNode n = Json.object();
        n.put("backupId", backupId);
        n.put("url", url.toString());
        n.put("expiresAt", clock.instant().plus(valid).toString());
        n.put("manifestKey", BackupEngine.manifestKey(appId, backupId));
        return n;
    }

    public Policy policy(String appId) {
        return records.get(appId, POLICY).map(s -> Policy.of(s.body())).orElse(Policy.DEFAULT);
    }

    public Policy setPolicy(String appId, Policy policy, Actor actor) {
        apps.get(AppId.require(appId));
        for (int attempt = 1; ; attempt++) {
            Optional<DataRecords.Stored> current = records.get(appId, POLICY);
            try {
                records.put(appId, POLICY, policy.json(), current.map(DataRecords.Stored::version).orElse(0L), null,
                        AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor, "database.backup-policy.changed",
                                "database/backup-policy", current.map(DataRecords.Stored::body).orElse(Policy.DEFAULT.json()), policy.json()));
                return policy;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
    }

    /** Starts a restore of a VERIFIED backup into {@code targetUrl}; over the linked database only when confirmed. */
    public ObjectNode startRestore(String appId, RestoreRequest request, Actor actor) {
        apps.get(AppId.require(appId));
        DataRecords.Stored b = backup(appId, request.backupId());
        requireVerified(b.body());
        links.access().check(request.target(), "/targetUrl");
        boolean overLinked = links.find(appId).map(l -> sameDatabase(l, request.target())).orElse(false);
        if (overLinked && !request.confirmed()) {
            throw new DomainException(DomainError.RESTORE_CONFIRMATION_REQUIRED, "targetUrl is the app's linked database; send \"confirm\": \""
                    + CONFIRM + "\" to replace its tables with the backup's", List.of(new FieldError("/confirm", "is required for the linked database")));
        }
        String id = Ulid.next(clock.instant());
        // The target's credentials wait in the secret store, never in the workflow's input or history.
        links.secrets().put(appId, "restore-" + id.toLowerCase(), request.target().secret());
        ObjectNode r = Json.object();
        r.put("restoreId", id);
        r.put("appId", appId);
        r.put("backupId", request.backupId());
        r.put("status", RUNNING);
        r.put("target", request.target().host() + ":" + request.target().port() + "/" + request.target().database());
        r.put("overLinkedDatabase", overLinked);
        r.put("startedAt", clock.instant().toString());
        write(appId, RESTORE + id, 0, r, actor, "database.restore.started", null);
        workflow.startJob("restore", appId, "restoreId", id, why -> markRestoreFailed(appId, id, why));
        return r;
    }

    public ObjectNode restore(String appId, String restoreId) {
        apps.get(AppId.require(appId));
        return records.get(appId, RESTORE + restoreId).map(DataRecords.Stored::body)
                .orElseThrow(() -> new DomainException(DomainError.RESTORE_NOT_FOUND, "No restore " + restoreId + " for app " + appId));
    }

    // ---- the workflow's steps (each safe to run twice)

    /** Dumps the linked database; the backup stays RUNNING (not usable) until {@link #verifyBackup}. */
    public void runBackup(String appId, String backupId) throws SQLException, IOException {
        DataRecords.Stored b = backup(appId, backupId);
        if (!RUNNING.equals(b.body().get("status").asText())) {
            return; // finished or failed meanwhile (a retried step)
        }
        engine.delete(appId, backupId); // what an earlier attempt left
        BackupManifest m;
        Connection c;
        try {
            c = links.connect(appId);
        } catch (DomainException e) {
            links.recordCheck(appId, new DatabaseLink.Check(clock.instant(), false, null, e.detail()));
            throw new IOException(e.detail(), e);
        }
        try (c) {
            links.recordCheck(appId, new DatabaseLink.Check(clock.instant(), true, DatabaseLinks.serverVersion(c), null));
            m = engine.dump(c, appId, backupId, b.body().get("kind").asText(), () -> renewLease(appId, backupId));
        }
        update(appId, backupId, n -> {
            n.put("serverVersion", m.serverVersion());
            n.put("tables", m.tables().size());
            n.put("rows", m.rows());
            n.put("bytes", m.bytes());
            n.put("durationMs", m.durationMs());
            n.put("leaseUntil", clock.instant().plus(lease).toString());
        });
    }

    /** Restores the backup into a scratch database and compares; VERIFIED with its event, or FAILED with the differences. */
    public void verifyBackup(String appId, String backupId) throws SQLException, IOException {
        DataRecords.Stored b = backup(appId, backupId);
        if (!RUNNING.equals(b.body().get("status").asText())) {
            return;
        }
        BackupManifest m = engine.manifest(appId, backupId);
        long t0 = System.nanoTime();
        BackupEngine.Verification v;
        try (ScratchDatabase db = scratch.get().createDatabase("verify"); Connection c = db.connect()) {
            v = engine.check(m, c);
        }
        if (!v.differences().isEmpty()) {
            throw new IOException("the restored copy differs: " + String.join("; ", v.differences()));
        }
        long verifyMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        List<MoveFinding> findings = MoveFindings.of(v.prepared());
        transition(appId, backupId, RUNNING, VERIFIED, "database.backup.verified", n -> {
            n.put("verifiedAt", clock.instant().toString());
            n.put("verifyMs", verifyMs);
            if (!findings.isEmpty()) { // what the scratch restore had to make: a restore into plain Postgres will too
                n.set("verifyFindings", Json.MAPPER.valueToTree(findings));
            }
            n.remove("leaseUntil");
        });
    }

    /** FAILED with the reason, its objects removed: a backup that does not verify is never usable. */
    public void markFailed(String appId, String backupId, String reason) {
        boolean failedNow = transition(appId, backupId, RUNNING, FAILED, "database.backup.failed", n -> {
            n.put("failedAt", clock.instant().toString());
            n.put("failure", reason.length() > 500 ? reason.substring(0, 500) + "…" : reason);
            n.remove("leaseUntil");
        });
        engine.delete(appId, backupId);
        if (!failedNow) {
            return; // recorded already (a data job records its own failure, then the workflow's Catch comes): one metric
        }
        // CloudWatch's embedded metric format: the log line is the metric the BackupFailedAlarm watches (no SDK call)
        System.out.println("{\"_aws\":{\"Timestamp\":" + clock.millis() + ",\"CloudWatchMetrics\":[{\"Namespace\":\"Slipway/Data\","
                + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"BackupsFailed\",\"Unit\":\"Count\"}]}]},\"BackupsFailed\":1,"
                + "\"appId\":\"" + appId + "\",\"backupId\":\"" + backupId + "\"}");
    }

    /** Restores into the target the request named, in one transaction (a failure leaves it as it was). */
    public void runRestore(String appId, String restoreId) throws SQLException, IOException {
        ObjectNode r = restore(appId, restoreId);
        if (!RUNNING.equals(r.get("status").asText())) {
            return;
        }
        String secretName = "restore-" + restoreId.toLowerCase();
        DatabaseUrl target = DatabaseUrl.parse(links.secrets().get(appId, secretName)
                .orElseThrow(() -> new IOException("the restore's target is no longer known")), "/targetUrl");
        BackupManifest m = engine.manifest(appId, r.get("backupId").asText());
        List<MoveFinding> findings;
        try (Connection c = links.access().open(target, "/targetUrl")) {
            findings = MoveFindings.of(engine.restore(m, c, r.get("overLinkedDatabase").asBoolean()));
        }
        finishRestore(appId, restoreId, SUCCEEDED, null, findings);
    }

    /**
     * Restores the app's newest VERIFIED backup into {@code target} (a preview's new, empty database), in one transaction;
     * answers its id, or empty when the app has none.
     */
    public Optional<String> restoreNewest(String appId, Connection target) throws SQLException, IOException {
        Optional<String> newest = list(appId).stream().filter(b -> VERIFIED.equals(b.path("status").asText()))
                .map(b -> b.get("backupId").asText()).findFirst();
        if (newest.isPresent()) {
            engine.restore(engine.manifest(appId, newest.get()), target, false);
        }
        return newest;
    }

    public void markRestoreFailed(String appId, String restoreId, String reason) {
        finishRestore(appId, restoreId, FAILED, reason, List.of());
    }

    private void finishRestore(String appId, String restoreId, String status, String reason, List<MoveFinding> findings) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = records.get(appId, RESTORE + restoreId).orElseThrow();
            if (!RUNNING.equals(s.body().get("status").asText())) {
                return;
            }
            ObjectNode before = s.body().deepCopy();
            ObjectNode after = s.body().deepCopy();
            after.put("status", status);
            after.put("finishedAt", clock.instant().toString());
            if (reason != null) {
                after.put("failure", reason.length() > 500 ? reason.substring(0, 500) + "…" : reason);
            }
            if (!findings.isEmpty()) {
                after.set("findings", Json.MAPPER.valueToTree(findings));
            }
            try {
                records.put(appId, RESTORE + restoreId, after, s.version(), null, AuditEvent.next(records.auditHead(appId), appId,
                        clock.instant(), workflowActor(), SUCCEEDED.equals(status) ? "database.restore.succeeded" : "database.restore.failed",
                        "database/restore/" + restoreId, before, after));
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        links.secrets().remove(appId, "restore-" + restoreId.toLowerCase());
    }

    // ---- the schedule

    /** What one run of the schedule did. */
    public record ScheduleRun(int started, int abandoned, int expired) {
    }

    /**
     * For every linked app: a RUNNING backup past its lease becomes FAILED and its objects go (a killed
     * run); a backup is started when the last one is older than the app's policy says; VERIFIED backups
     * beyond the policy's count or age are removed, each with its event. Failed ones are kept as records
     * (they are the history an owner needs) but hold no objects.
     */
    public ScheduleRun scheduled(List<String> linkedApps) {
        int started = 0;
        int abandoned = 0;
        int expired = 0;
        Instant now = clock.instant();
        for (String appId : linkedApps) {
            Policy policy = policy(appId);
            List<ObjectNode> backups = new ArrayList<>();
            records.list(appId, BACKUP).forEach(s -> backups.add(s.body()));
            for (ObjectNode b : backups) {
                if (RUNNING.equals(b.get("status").asText()) && b.has("leaseUntil") && Instant.parse(b.get("leaseUntil").asText()).isBefore(now)) {
                    markFailed(appId, b.get("backupId").asText(), "abandoned: its run stopped before it finished (lease ended "
                            + b.get("leaseUntil").asText() + ")");
                    abandoned++;
                }
            }
            List<ObjectNode> verified = backups.stream().filter(b -> VERIFIED.equals(b.get("status").asText()))
                    .sorted(Comparator.comparing((ObjectNode b) -> b.get("backupId").asText()).reversed()).toList();
            for (int i = 0; i < verified.size(); i++) {
                ObjectNode b = verified.get(i);
                boolean tooOld = Instant.parse(b.get("startedAt").asText()).isBefore(now.minus(Duration.ofDays(policy.keepDays())));
                if (i >= policy.keepCount() || (tooOld && i > 0)) { // the newest verified backup is never expired by age
                    expire(appId, b.get("backupId").asText());
                    expired++;
                }
            }
            Optional<Instant> last = backups.stream().filter(b -> !FAILED.equals(b.get("status").asText()))
                    .map(b -> Instant.parse(b.get("startedAt").asText())).max(Comparator.naturalOrder());
            if (policy.everyHours() > 0 && (last.isEmpty() || !last.get().isAfter(now.minus(Duration.ofHours(policy.everyHours())).plusSeconds(300)))) {
                try {
                    start(appId, "schedule", workflowActor());
                    started++;
                } catch (DomainException e) {
                    // unlinked meanwhile, or the workflow is down: the next run tries again
                }
            }
        }
        return new ScheduleRun(started, abandoned, expired);
    }

    /**
     * After a restart of the local runtime no workflow survives (its Step Functions keep executions in
     * memory): every RUNNING backup becomes FAILED with its objects removed, every RUNNING restore FAILED
     * (it ran in one transaction, so its target is as it was). Answers how many.
     */
    public int abandonRunning(List<String> appIds) {
        int n = 0;
        for (String appId : appIds) {
            for (DataRecords.Stored s : records.list(appId, BACKUP)) {
                if (RUNNING.equals(s.body().get("status").asText())) {
                    markFailed(appId, s.body().get("backupId").asText(), "abandoned: Slipway stopped while it ran");
                    n++;
                }
            }
            for (DataRecords.Stored s : records.list(appId, RESTORE)) {
                if (RUNNING.equals(s.body().get("status").asText())) {
                    markRestoreFailed(appId, s.body().get("restoreId").asText(), "abandoned: Slipway stopped while it ran; the target was not changed");
                    n++;
                }
            }
        }
        return n;
    }

    private void expire(String appId, String backupId) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = backup(appId, backupId);
            try {
                records.delete(appId, BACKUP + backupId, s.version(), AuditEvent.next(records.auditHead(appId), appId, clock.instant(),
                        workflowActor(), "database.backup.expired", "database/backup/" + backupId, s.body(), null));
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        engine.delete(appId, backupId);
    }

    // ---- records

    private DataRecords.Stored backup(String appId, String backupId) {
        if (!Ulid.isValid(backupId)) {
            throw new DomainException(DomainError.BACKUP_NOT_FOUND, "No backup " + backupId + " for app " + appId);
        }
        return records.get(appId, BACKUP + backupId)
                .orElseThrow(() -> new DomainException(DomainError.BACKUP_NOT_FOUND, "No backup " + backupId + " for app " + appId));
    }

    private static void requireVerified(ObjectNode b) {
        if (!VERIFIED.equals(b.get("status").asText())) {
            throw new DomainException(DomainError.BACKUP_NOT_USABLE, "Backup " + b.get("backupId").asText() + " is "
                    + b.get("status").asText() + "; only VERIFIED backups can be downloaded or restored");
        }
    }

    private static boolean sameDatabase(DatabaseLink link, DatabaseUrl target) {
        return link.host().equalsIgnoreCase(target.host()) && link.port() == target.port() && link.database().equals(target.database());
    }

    /** Pushes a RUNNING backup's lease on (after each table; and on a timer while a job outside Lambda runs: DataJobMain). */
    public void renewLease(String appId, String backupId) {
        update(appId, backupId, n -> n.put("leaseUntil", clock.instant().plus(lease).toString()));
    }

    /** A change of a RUNNING backup's details that is not a change of state: no event. */
    private void update(String appId, String backupId, java.util.function.Consumer<ObjectNode> change) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = backup(appId, backupId);
            if (!RUNNING.equals(s.body().get("status").asText())) {
                return;
            }
            ObjectNode n = s.body().deepCopy();
            change.accept(n);
            try {
                records.put(appId, BACKUP + backupId, n, s.version(), null, null);
                return;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
    }

    /** Whether this call made the change (false: the backup had moved on already, e.g. a retried step). */
    private boolean transition(String appId, String backupId, String from, String to, String action, java.util.function.Consumer<ObjectNode> change) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = backup(appId, backupId);
            if (!from.equals(s.body().get("status").asText())) {
                return false; // already moved on (a retried step)
            }
            ObjectNode after = s.body().deepCopy();
            after.put("status", to);
            change.accept(after);
            try {
                records.put(appId, BACKUP + backupId, after, s.version(), null, AuditEvent.next(records.auditHead(appId), appId,
                        clock.instant(), workflowActor(), action, "database/backup/" + backupId, view(s.body()), view(after)));
                return true;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
    }

    private void write(String appId, String id, long expected, ObjectNode body, Actor actor, String action, ObjectNode before) {
        for (int attempt = 1; ; attempt++) {
            try {
                records.put(appId, id, body, expected, null, AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor, action,
                        "database/" + id.replace('#', '/'), before, body));
                return;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
    }

    private void audit(String appId, Actor actor, String action, String target, ObjectNode before, ObjectNode after) {
        for (int attempt = 1; ; attempt++) {
            try {
                records.appendEvent(AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor, action, target, before, after));
                return;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
    }

    private static Actor workflowActor() {
        return new Actor("slipway:data-workflow", null, null);
    }

    static ObjectNode view(ObjectNode b) {
        ObjectNode v = b.deepCopy();
        v.put("usable", VERIFIED.equals(b.get("status").asText()));
        return v;
    }

    private static void retryOrGiveUp(int attempt) {
        if (attempt >= ATTEMPTS) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The app's data records kept changing; retry");
        }
        Transactions.pauseAfterConflict(attempt);
    }
}
