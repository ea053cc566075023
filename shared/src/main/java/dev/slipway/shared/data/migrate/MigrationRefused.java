package dev.slipway.shared.data.migrate;

/**
 * The migrations of a deploy cannot be applied: one already applied was changed since, one sorts before the last
 * applied one, or one failed (then the deploy's transaction was rolled back). The message names the migration;
 * the deployment fails with it.
 */
public final class MigrationRefused extends RuntimeException {
    public enum Reason { CHANGED, OUT_OF_ORDER, FAILED }

    private final Reason reason;
    private final String migration;

    public MigrationRefused(Reason reason, String migration, String message) {
        super(message);
        this.reason = reason;
        this.migration = migration;
    }

    public Reason reason() {
        return reason;
    }

    public String migration() {
        return migration;
    }
}
