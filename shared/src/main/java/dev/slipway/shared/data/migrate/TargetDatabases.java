package dev.slipway.shared.data.migrate;

import dev.slipway.shared.deploy.model.DeployTarget;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The database a deployment's migrations go to: production's is the app's linked database; a preview's is its own
 * (when the app opted in), else none. Looked up before anything is read, so an app without one passes quickly.
 */
public interface TargetDatabases {
    /** The target's database, or empty when it has none (nothing to migrate). */
    Optional<Database> find(String appId, DeployTarget target);

    /** One database: what the deployment's step says of it, and a new connection to it. */
    interface Database {
        String describe();

        Connection connect() throws SQLException;
    }

    /** No database anywhere: every deployment's step passes. */
    TargetDatabases NONE = (appId, target) -> Optional.empty();
}
