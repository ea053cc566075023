package dev.slipway.shared.data.migrate;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.shared.data.copy.SupabaseStandIn;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.deploy.TransientStepException;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deploy workflow's ApplyMigrations state, between a READY release and its promotion: the migrations of the
 * deployment's commit ({@link MigrationFiles}) applied to the target's database ({@link TargetDatabases}) by the
 * {@link Migrator}. Recorded on the deployment as a step and as {@link Deployment.Migrations}. A refused or failing
 * migration fails the step for good, so MarkFailed ends the deployment FAILED with its reason and the alias does not
 * move; a database that cannot be reached is transient (retried, then the same). Safe to run twice: applied
 * migrations are in the history, and a redelivery reports what this deployment applied.
 */
public final class MigrationStep {
    public static final String STEP = "ApplyMigrations";
    /** At most this much SQL is read from a commit (migrations and seed). */
    static final long MAX_SQL_BYTES = 64L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(MigrationStep.class);

    /** What the state machine gets back (small: names only). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(String status, String kind, List<String> applied, Integer alreadyApplied) {
    }

    private final DeploymentStore deployments;
    private final CommitSource sources;
    private final TargetDatabases databases;
    private final Migrator migrator = new Migrator();
    private final Clock clock;

    public MigrationStep(DeploymentStore deployments, CommitSource sources, TargetDatabases databases, Clock clock) {
        this.deployments = deployments;
        this.sources = sources;
        this.databases = databases;
        this.clock = clock;
    }

    public Result run(String appId, String deploymentId) {
        Deployment d = deployments.get(appId, deploymentId)
                .orElseThrow(() -> new StepFailedException("deployment " + deploymentId + " of " + appId + " does not exist"));
        if (d.finished()) {
            return new Result(d.status().name(), null, null, null); // redelivered after the end: nothing to do
        }
        deployments.update(appId, deploymentId, x -> x.withStepStarted(STEP, clock.instant()));
        try {
            Applied a = apply(d);
            deployments.update(appId, deploymentId, x -> {
                Deployment ended = x.withStepEnded(STEP, a.outcome(), clock.instant());
                return a.migrations() == null ? ended : ended.withMigrations(a.migrations());
            });
            Deployment.Migrations m = a.migrations();
            return m == null ? new Result(null, null, List.of(), null) : new Result(null, m.kind(), m.applied(), m.alreadyApplied());
        } catch (MigrationRefused e) {
            throw new StepFailedException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StepFailedException("migrations: " + e.getMessage());
        }
    }

    private record Applied(String outcome, Deployment.Migrations migrations) {
    }

    private Applied apply(Deployment d) {
        Optional<TargetDatabases.Database> db = databases.find(d.appId(), d.target(), d.id());
        if (db.isEmpty()) {
            return new Applied("skipped: " + d.target().wire() + " has no database", null);
        }
        if (d.commit() == null) {
            return new Applied("skipped: the release has no commit to read migrations from", null);
        }
        Map<String, byte[]> files = sources.files(d.appId(), d.commit(), MigrationFiles.CANDIDATES, MAX_SQL_BYTES);
        MigrationFiles.Found found = MigrationFiles.find(files);
        if (found.isEmpty()) {
            String skipped = "skipped: commit " + d.commit().substring(0, Math.min(12, d.commit().length())) + " has no migrations";
            try {
                return new Applied(skipped + db.get().migrated(files).map(m -> "; " + m).orElse(""), null);
            } catch (SQLException e) {
                throw failure(d, e);
            }
        }
        try (Connection c = db.get().connect()) {
            String standIn = "";
            if ("supabase".equals(found.kind()) && db.get().madeBySlipway() && SupabaseStandIn.needed(c)) {
                // a new database (on any server, even Supabase's) lacks the auth.* and storage.* the migrations use
                c.setAutoCommit(false);
                standIn = "; made the Supabase stand-in first (" + String.join(", ", SupabaseStandIn.install(c)) + ")";
                c.commit();
            }
            Migrator.Outcome out = migrator.apply(c, found.kind(), found.migrations(), d.id(), clock.instant());
            // a redelivered step finds its migrations applied: report them as this deployment's, from the history
            List<String> applied = out.applied().isEmpty() ? migrator.appliedBy(c, d.id()) : out.applied();
            int before = out.applied().isEmpty() ? out.alreadyApplied() - applied.size() : out.alreadyApplied();
            String ignored = found.ignoredKinds().isEmpty() ? "" : "; " + String.join(", ", found.ignoredKinds())
                    + " migrations also found, not applied (one tool per schema: " + found.kind() + " came first)";
            String baselined = out.baselined() == 0 ? "" : " (" + out.baselined() + " of them recorded by " + found.kind()
                    + "'s own history, taken over without running them)";
            String outcome = (applied.isEmpty() ? "no new migrations" : "applied " + applied.size() + " " + found.kind() + " migration"
                    + (applied.size() == 1 ? "" : "s")) + " to " + db.get().describe() + "; " + before + " applied before" + baselined + ignored + standIn;
            outcome += db.get().migrated(files).map(m -> "; " + m).orElse("");
            return new Applied(outcome, new Deployment.Migrations(found.kind(), applied, before));
        } catch (SQLException e) {
            throw failure(d, e);
        }
    }

    private static RuntimeException failure(Deployment d, SQLException e) {
        LOG.warn("migrations of {}/{}: {}", d.appId(), d.id(), e.toString());
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57014") || state.equals("55P03")) {
            // cannot connect, the server went away, the lock wait timed out: worth another attempt
            return new TransientStepException("the " + d.target().wire() + " database could not be migrated now: " + e.getMessage());
        }
        return new StepFailedException("the " + d.target().wire() + " database could not be migrated: " + e.getMessage());
    }
}
