package dev.slipway.shared.data.move;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.DataWorkflow;
import dev.slipway.shared.data.link.DatabaseLink;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.postgres.DatabaseAccess;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.data.postgres.StackDatabase;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Moves of an app's database to a database the owner runs ({@code POST /apps/{appId}/database/move}): checked and
 * recorded here, run as a job of the data workflow (statemachines/data.asl.json, like restores: no Lambda time
 * limit on the API's side), by {@link DatabaseMove} with the {@link SchemaCopier}. The source is only read. The
 * target's URL waits in the database secret store (never in the workflow's input, the record or an answer) until the
 * owner switches to it or the move fails. Every change of a move's state writes its audit event.
 */
public final class DatabaseMoves {
    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    static final String RECORD = "move#";
    private static final int ATTEMPTS = 5;

    private final AppService apps;
    private final DataRecords records;
    private final DatabaseLinks links;
    private final DataWorkflow workflow;
    /** Git only where a move starts (the API), never built for the workflow's steps. */
    private final Supplier<CommitSource> commits;
    /** The stack's own database ({"target":"stack"}), if it has one. */
    private final Optional<StackDatabase> stack;
    private final Clock clock;

    public DatabaseMoves(AppService apps, DataRecords records, DatabaseLinks links, DataWorkflow workflow, Supplier<CommitSource> commits,
                         Optional<StackDatabase> stack, Clock clock) {
        this.apps = apps;
        this.records = records;
        this.links = links;
        this.workflow = workflow;
        this.commits = commits;
        this.stack = stack;
        this.clock = clock;
    }

    /** Checks the target (rules, connection, empty) and starts the move; answers its record, RUNNING. */
    public ObjectNode start(String appId, MoveRequest request, Actor actor) {
        apps.get(AppId.require(appId));
        if (request.toStack()) {
            return startToStack(appId, actor);
        }
        DatabaseLink source = links.get(appId);
        DatabaseUrl target = request.target();
        links.access().check(target, "/targetUrl");
        if (source.host().equalsIgnoreCase(target.host()) && source.port() == target.port() && source.database().equals(target.database())) {
            throw new DomainException(DomainError.MOVE_TARGET_IS_SOURCE, "targetUrl is the app's linked database; a move copies to another one",
                    List.of(new FieldError("/targetUrl", "is the linked database")));
        }
        try (Connection c = links.access().open(target, "/targetUrl")) {
            List<String> tables = TableChecksums.appTables(c);
            if (!tables.isEmpty()) {
                throw new DomainException(DomainError.MOVE_TARGET_NOT_EMPTY, "The target database already has " + tables.size()
                        + " table(s), e.g. " + tables.get(0) + "; a move copies into an empty database only",
                        List.of(new FieldError("/targetUrl", "has tables")));
            }
        } catch (SQLException e) {
            throw DatabaseAccess.unreachable(target, "/targetUrl", e);
        }
        String id = Ulid.next(clock.instant());
        links.secrets().put(appId, secretName(id), target.secret());
        return started(appId, id, source, target.host() + ":" + target.port() + "/" + target.database(), false, actor);
    }

    /**
     * A move to the app's own database on the stack's: the job makes the database and its role (in AWS only the data
     * jobs reach the cluster, in its VPC), so nothing is checked on it here but that it is not the linked one.
     */
    private ObjectNode startToStack(String appId, Actor actor) {
        StackDatabase db = stack.orElseThrow(() -> new DomainException(DomainError.STACK_DATABASE_NOT_ENABLED,
                "This stack has no database of its own: deploy it with CreateDatabase=true (docs/data.md), or move to a targetUrl",
                List.of(new FieldError("/target", "the stack has no database"))));
        DatabaseLink source = links.get(appId);
        String name = StackDatabase.databaseOf(appId);
        if (source.host().equalsIgnoreCase(db.host()) && source.port() == db.port() && source.database().equals(name)) {
            throw new DomainException(DomainError.MOVE_TARGET_IS_SOURCE, "The app's linked database is its database on the stack already",
                    List.of(new FieldError("/target", "is the linked database")));
        }
        return started(appId, Ulid.next(clock.instant()), source, db.host() + ":" + db.port() + "/" + name, true, actor);
    }

    private ObjectNode started(String appId, String id, DatabaseLink source, String target, boolean toStack, Actor actor) {
        ObjectNode m = Json.object();
        m.put("moveId", id);
        m.put("appId", appId);
        m.put("status", RUNNING);
        m.put("source", source.host() + ":" + source.port() + "/" + source.database());
        m.put("target", target);
        if (toStack) {
            m.put("targetKind", MoveRequest.STACK);
        }
        m.put("startedAt", clock.instant().toString());
        m.put("startedBy", actor.id());
        // read here, where git is at hand: the workflow's step reads only the record
        m.set("edgeFunctions", Json.MAPPER.valueToTree(MoveFindings.edgeFunctions(repositoryPaths(appId))));
        write(appId, id, 0, null, m, actor, "database.move.started");
        workflow.startJob("move", appId, "moveId", id, why -> markFailed(appId, id, why));
        return m;
    }

    public ObjectNode get(String appId, String moveId) {
        apps.get(AppId.require(appId));
        return stored(appId, moveId).body();
    }

    /** The workflow's Move step: copy, verify, findings; the record ends SUCCEEDED (verified) or FAILED. Safe to run twice. */
    public void run(String appId, String moveId) throws SQLException, IOException {
        DataRecords.Stored s = stored(appId, moveId);
        if (!RUNNING.equals(s.body().path("status").asText())) {
            return;
        }
        boolean toStack = MoveRequest.STACK.equals(s.body().path("targetKind").asText());
        Optional<String> known = links.secrets().get(appId, secretName(moveId));
        DatabaseUrl target;
        if (toStack && known.isEmpty()) {
            // the app's database and role on the stack's, made here (where the cluster is reachable); the URL waits
            // in the secret store like a targetUrl, for the switch
            target = stack.orElseThrow(() -> new IOException("the stack has no database (any more)")).provision(appId);
            links.secrets().put(appId, secretName(moveId), target.secret());
        } else {
            target = DatabaseUrl.parse(known.orElseThrow(() -> new IOException("the move's target is no longer known")), "/targetUrl");
        }
        DatabaseMove.Result r;
        boolean rechecked = false;
        try (Connection source = links.connect(appId); Connection t = links.access().open(target, "/targetUrl")) {
            if (!TableChecksums.appTables(t).isEmpty()) {
                // A redelivered step after its copy committed (a move commits only a verified copy): check the target
                // against the source again, write nothing. Tables the owner put there meanwhile do not match.
                r = new DatabaseMove().recheck(source, t);
                rechecked = true;
            } else {
                List<String> edgeFunctions = new java.util.ArrayList<>();
                s.body().path("edgeFunctions").forEach(f -> edgeFunctions.add(f.asText()));
                r = new DatabaseMove().run(source, t, edgeFunctions, new SchemaCopier());
            }
        }
        ObjectNode after = s.body().deepCopy();
        after.put("status", r.verified() ? SUCCEEDED : FAILED);
        after.put("finishedAt", clock.instant().toString());
        after.put("verified", r.verified());
        after.put("tables", r.tables().size());
        after.put("rows", r.rows());
        after.set("checks", Json.MAPPER.valueToTree(r.tables()));
        after.set("schemaDifferences", Json.MAPPER.valueToTree(r.schemaDifferences()));
        after.set("findings", Json.MAPPER.valueToTree(r.findings()));
        if (rechecked) {
            after.put("rechecked", true); // the first run's findings went with it; these are the check's
        }
        if (rechecked && !r.verified()) {
            after.put("failure", "the step ran again and found the target no longer empty, and its tables differ from the source now ("
                    + String.join(", ", r.tables().stream().filter(c -> !c.equal()).map(DatabaseMove.TableCheck::table).limit(5).toList())
                    + "): the source changed since the copy, or the tables are not this move's; the target was not written");
        } else if (!r.verified()) {
            List<String> differ = new java.util.ArrayList<>(r.tables().stream().filter(c -> !c.equal()).map(DatabaseMove.TableCheck::table).limit(5).toList());
            differ.addAll(r.schemaDifferences());
            after.put("failure", "the copy did not verify: " + String.join(", ", differ) + " differ; the target was left empty");
        }
        finish(appId, moveId, after, r.verified() ? "database.move.succeeded" : "database.move.failed");
    }

    /** The workflow's Catch: the move ends FAILED with its reason; the target's URL is forgotten. */
    public void markFailed(String appId, String moveId, String reason) {
        DataRecords.Stored s = stored(appId, moveId);
        ObjectNode after = s.body().deepCopy();
        after.put("status", FAILED);
        after.put("finishedAt", clock.instant().toString());
        after.put("failure", reason.length() > 500 ? reason.substring(0, 500) + "…" : reason);
        finish(appId, moveId, after, "database.move.failed");
    }

    /** The target's URL of a verified move (for the switch), or a refusal naming why not. */
    public DatabaseUrl verifiedTarget(String appId, String moveId) {
        ObjectNode m = stored(appId, moveId).body();
        if (m.has("switchedAt")) {
            throw new DomainException(DomainError.MOVE_NOT_VERIFIED, "Move " + moveId + " was switched to already, at "
                    + m.path("switchedAt").asText() + (m.has("switchDeploymentId") ? " (deployment " + m.path("switchDeploymentId").asText() + ")" : ""));
        }
        if (!SUCCEEDED.equals(m.path("status").asText())) {
            throw new DomainException(DomainError.MOVE_NOT_VERIFIED, "Move " + moveId + " is " + m.path("status").asText()
                    + "; only a verified move can be switched to");
        }
        return DatabaseUrl.parse(links.secrets().get(appId, secretName(moveId))
                .orElseThrow(() -> new DomainException(DomainError.MOVE_NOT_VERIFIED, "Move " + moveId + " was switched to already")), "/moveId");
    }

    /** After a switch: recorded with its audit event; the target's URL lives on as the link's, the move's copy is forgotten. */
    public void switched(String appId, String moveId, Actor actor, String deploymentId) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = stored(appId, moveId);
            ObjectNode after = s.body().deepCopy();
            after.put("switchedAt", clock.instant().toString());
            after.put("switchedBy", actor.id());
            if (deploymentId != null) {
                after.put("switchDeploymentId", deploymentId);
            }
            try {
                write(appId, moveId, s.version(), s.body(), after, actor, "database.move.switched");
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        links.secrets().remove(appId, secretName(moveId));
    }

    private void finish(String appId, String moveId, ObjectNode after, String action) {
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored s = stored(appId, moveId);
            if (!RUNNING.equals(s.body().path("status").asText())) {
                return; // ended already (a redelivered step)
            }
            try {
                write(appId, moveId, s.version(), s.body(), after, WORKFLOW, action);
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        if (FAILED.equals(after.path("status").asText())) {
            links.secrets().remove(appId, secretName(moveId));
        }
    }

    private static final Actor WORKFLOW = new Actor("data-workflow", null, null);

    private void write(String appId, String moveId, long expected, ObjectNode before, ObjectNode after, Actor actor, String action) {
        records.put(appId, RECORD + moveId, after, expected, null, AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor,
                action, "database/move/" + moveId, before, after));
    }

    private DataRecords.Stored stored(String appId, String moveId) {
        return records.get(appId, RECORD + moveId)
                .orElseThrow(() -> new DomainException(DomainError.MOVE_NOT_FOUND, "No move " + moveId + " for app " + appId));
    }

    /** The paths of the app's main branch (for its supabase/functions/); none when it has no commits. */
    private List<String> repositoryPaths(String appId) {
        try {
            CommitSource git = commits.get();
            String commit = git.resolve(appId, null).commit();
            return List.copyOf(git.files(appId, commit, p -> p.startsWith("supabase/functions/"), 64L << 20).keySet());
        } catch (DomainException noCommits) {
            return List.of();
        }
    }

    private static String secretName(String moveId) {
        return "move-" + moveId.toLowerCase(java.util.Locale.ROOT);
    }

    private static void retryOrGiveUp(int attempt) {
        if (attempt >= ATTEMPTS) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The move changed while this request ran; retry it");
        }
        Transactions.pauseAfterConflict(attempt);
    }
}
