package dev.slipway.shared.data.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a repository's migrations to one database and records them in its history table
 * ({@value #HISTORY}: name, checksum, when, by which deployment; like Flyway's schema history or Supabase's
 * {@code supabase_migrations.schema_migrations}). Each migration is applied once. Before anything runs, every
 * migration already applied must still have its checksum ({@link MigrationRefused.Reason#CHANGED}) and no new
 * one may sort before the last applied one ({@link MigrationRefused.Reason#OUT_OF_ORDER}). The pending ones run
 * in ONE transaction with their history rows, so a failing migration leaves the database as it was (Postgres has
 * transactional DDL); only a migration marked {@value Migration#NO_TRANSACTION} runs on its own, committing what
 * came before it, and what it did stays if it fails. Concurrent deploys of one database queue on a session
 * advisory lock, so they never both apply; the second finds the first's rows and applies nothing.
 */
public final class Migrator {
    public static final String HISTORY = "slipway.schema_history";
    /** The advisory lock key of migrations (per database; "slipmigr" as a number). */
    static final long LOCK_KEY = 0x736c69706d696772L;
    /** How long a deploy waits for another one's migrations before giving up (its step is then retried). */
    static final String LOCK_WAIT = "5min";

    /**
     * What a run did: the names applied now (in order), how many were applied before, and how many the app's own tool
     * had applied before Slipway's first run here ({@link #appliedByTool}: recorded, not run).
     */
    public record Outcome(List<String> applied, int alreadyApplied, int baselined) {
    }

    public Outcome apply(Connection c, List<Migration> migrations, String deploymentId, Instant now) throws SQLException {
        return apply(c, null, migrations, deploymentId, now);
    }

    /** {@code kind}: whose migrations (supabase, prisma, drizzle), so the tool's own history is honoured on the first run. */
    public Outcome apply(Connection c, String kind, List<Migration> migrations, String deploymentId, Instant now) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = '" + LOCK_WAIT + "'");
            s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            s.execute("SET statement_timeout = 0");
        }
        try {
            ensureHistory(c);
            Map<String, String> applied = applied(c);
            List<Migration> baseline = applied.isEmpty() ? appliedByTool(c, kind, migrations) : List.of();
            Map<String, String> known = new LinkedHashMap<>(applied);
            baseline.forEach(m -> known.put(m.name(), m.checksum()));
            List<Migration> pending = pending(migrations, known);
            List<String> done = new ArrayList<>();
            c.setAutoCommit(false);
            try {
                for (Migration m : baseline) {
                    record(c, m, "baseline:" + kind, now);
                }
                for (Migration m : pending) {
                    if (!m.transactional()) {
                        c.commit(); // what came before it stays: it cannot share their transaction
                        c.setAutoCommit(true);
                    }
                    run(c, m);
                    record(c, m, deploymentId, now);
                    if (!m.transactional()) {
                        c.setAutoCommit(false);
                    }
                    done.add(m.name());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return new Outcome(done, applied.size() + baseline.size(), baseline.size());
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            }
        }
    }

    /** The names {@code deploymentId} applied, in order (what a redelivered step reports). */
    public List<String> appliedBy(Connection c, String deploymentId) throws SQLException {
        if (!historyExists(c)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + HISTORY + " WHERE deployment = ? ORDER BY name")) {
            ps.setString(1, deploymentId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The history, name → checksum, in name order (empty when no migration ever ran here). */
    public Map<String, String> applied(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!historyExists(c)) {
            return out;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name, checksum FROM " + HISTORY + " ORDER BY name")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /**
     * On a database Slipway never migrated: the migrations the app's tool recorded in its own history (Supabase CLI's
     * {@code supabase_migrations.schema_migrations} by version, Prisma's {@code _prisma_migrations} by name when
     * finished and not rolled back, Drizzle's {@code drizzle.__drizzle_migrations} by the SHA-256 of the file), so a
     * database the builder already migrated is not migrated again.
     */
    static List<Migration> appliedByTool(Connection c, String kind, List<Migration> migrations) throws SQLException {
        if (kind == null) {
            return List.of();
        }
        String query = switch (kind) {
            case "supabase" -> exists(c, "supabase_migrations.schema_migrations") ? "SELECT version FROM supabase_migrations.schema_migrations" : null;
            case "prisma" -> exists(c, "public._prisma_migrations")
                    ? "SELECT migration_name FROM public._prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL" : null;
            case "drizzle" -> exists(c, "drizzle.__drizzle_migrations") ? "SELECT hash FROM drizzle.__drizzle_migrations" : null;
            default -> null;
        };
        if (query == null) {
            return List.of();
        }
        java.util.Set<String> recorded = new java.util.HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                recorded.add(rs.getString(1));
            }
        }
        return migrations.stream().filter(m -> recorded.contains(switch (kind) {
            case "supabase" -> m.name().split("_", 2)[0].replaceFirst("\\.sql$", ""); // the version is the name's timestamp
            case "drizzle" -> m.checksum();
            default -> m.name();
        })).toList();
    }

    /** The migrations not applied yet, after checking the applied ones are unchanged and none comes too late. */
    static List<Migration> pending(List<Migration> migrations, Map<String, String> applied) {
        String last = applied.keySet().stream().max(String::compareTo).orElse(null);
        List<Migration> pending = new ArrayList<>();
        for (Migration m : migrations) {
            String checksum = applied.get(m.name());
            if (checksum == null) {
                if (last != null && m.name().compareTo(last) < 0) {
                    throw new MigrationRefused(MigrationRefused.Reason.OUT_OF_ORDER, m.name(), "migration " + m.path()
                            + " sorts before " + last + ", which is already applied: rename it to sort after the last applied migration");
                }
                pending.add(m);
            } else if (!checksum.equals(m.checksum())) {
                throw new MigrationRefused(MigrationRefused.Reason.CHANGED, m.name(), "migration " + m.path()
                        + " was changed after it was applied (checksum " + abbrev(checksum) + " applied, " + abbrev(m.checksum())
                        + " now): add a new migration instead of editing an applied one");
            }
        }
        return pending;
    }

    private static void run(Connection c, Migration m) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(m.sql());
        } catch (SQLException e) {
            String hint = "25001".equals(e.getSQLState())
                    ? " (this statement cannot run inside a transaction: make \"" + Migration.NO_TRANSACTION + "\" the migration's first line)"
                    : "";
            String rolledBack = m.transactional() ? "; the deploy's migrations were rolled back" : "; it ran outside a transaction and was not rolled back";
            throw new MigrationRefused(MigrationRefused.Reason.FAILED, m.name(), "migration " + m.path() + " failed: "
                    + firstLine(e.getMessage()) + hint + rolledBack);
        }
    }

    private static void record(Connection c, Migration m, String deploymentId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + HISTORY + " (name, checksum, applied_at, deployment, path) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, m.name());
            ps.setString(2, m.checksum());
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setString(4, deploymentId);
            ps.setString(5, m.path());
            ps.executeUpdate();
        }
    }

    private static void ensureHistory(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS slipway");
            s.execute("CREATE TABLE IF NOT EXISTS " + HISTORY + " (name text PRIMARY KEY, checksum text NOT NULL,"
                    + " applied_at timestamptz NOT NULL, deployment text, path text)");
        }
    }

    private static boolean historyExists(Connection c) throws SQLException {
        return exists(c, HISTORY);
    }

    private static boolean exists(Connection c, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static String abbrev(String checksum) {
        return checksum.length() > 12 ? checksum.substring(0, 12) : checksum;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.lines().findFirst().orElse(message).strip();
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }
}
