package dev.slipway.shared.data.migrate;

import dev.slipway.shared.deploy.model.DeployTarget;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * The database a deployment's migrations go to: production's is the app's linked database; a preview's is its own
 * (when the app opted in), else none. Looked up before anything is read, so an app without one passes quickly.
 */
public interface TargetDatabases {
    /** The target's database, or empty when it has none (nothing to migrate). */
    Optional<Database> find(String appId, DeployTarget target);

    /**
     * {@link #find} for one deployment's step, which may make the database first (a preview's own, on its first deploy:
     * {@code data/preview/PreviewDatabases}); a retry of the same deployment's step takes over what its killed attempt began.
     */
    default Optional<Database> find(String appId, DeployTarget target, String deploymentId) {
        return find(appId, target);
    }

    /** One database: what the deployment's step says of it, and a new connection to it. */
    interface Database {
        String describe();

        Connection connect() throws SQLException;

        /**
         * Whether Slipway made this database (a preview's own): it then gets what the app's migrations assume of their
         * platform (for Supabase migrations the {@code data/copy/SupabaseStandIn}), where an owner's database is never changed.
         */
        default boolean madeBySlipway() {
            return false;
        }

        /**
         * After the migrations (also when the commit has none): what else the database gets once (a new preview database
         * its seed), in words for the step's outcome, or empty.
         */
        default Optional<String> migrated(Map<String, byte[]> files) throws SQLException {
            return Optional.empty();
        }
    }

    /** No database anywhere: every deployment's step passes. */
    TargetDatabases NONE = (appId, target) -> Optional.empty();
}
