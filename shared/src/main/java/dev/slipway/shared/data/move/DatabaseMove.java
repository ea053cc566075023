package dev.slipway.shared.data.move;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One move of an app's database to a database the owner runs: refuses a target that already holds tables, reads the
 * source in one READ ONLY repeatable-read transaction (a consistent snapshot; the source cannot be changed by the
 * move), copies the app's schemas with the {@link Copier} in ONE transaction on the target, checks every table's row
 * count and checksum on both sides by {@link TableChecksums} (the server's own hashing, not the copier's), and commits
 * only when all are equal: a move that does not verify leaves the target as empty as it found it. What cannot move
 * becomes findings ({@link MoveFindings}, and what the copier could not create).
 */
public final class DatabaseMove {
    /**
     * Copies the schemas' definitions and rows from the source (inside its snapshot) to the empty target (inside its
     * transaction); answers what it could not create there.
     */
    @FunctionalInterface
    public interface Copier {
        List<MoveFinding> copy(Connection source, Connection target, List<String> schemas) throws SQLException;
    }

    /** One table on both sides. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TableCheck(String table, long sourceRows, Long targetRows, String sourceChecksum, String targetChecksum, boolean equal) {
    }

    /** What a move did: each table's check, whether all are equal, and the findings. */
    public record Result(List<TableCheck> tables, boolean verified, List<MoveFinding> findings) {
        public long rows() {
            return tables.stream().mapToLong(TableCheck::sourceRows).sum();
        }
    }

    /** The target already has tables of its own: a move never writes over data. */
    public static final class TargetNotEmpty extends RuntimeException {
        public TargetNotEmpty(List<String> tables) {
            super("the target database already has " + tables.size() + " table(s) (e.g. " + tables.get(0)
                    + "): a move copies into an empty database only");
        }
    }

    public Result run(Connection source, Connection target, Collection<String> edgeFunctions, Copier copier) throws SQLException {
        List<String> existing = TableChecksums.appTables(target);
        if (!existing.isEmpty()) {
            throw new TargetNotEmpty(existing);
        }
        boolean autoCommit = source.getAutoCommit();
        boolean targetAutoCommit = target.getAutoCommit();
        source.setAutoCommit(false);
        target.setAutoCommit(false);
        boolean committed = false;
        try {
            try (Statement s = source.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            List<MoveFinding> findings = new ArrayList<>(MoveFindings.of(source, target, edgeFunctions));
            List<String> tables = TableChecksums.appTables(source);
            findings.addAll(copier.copy(source, target, schemas(source)));
            Map<String, TableChecksums.Table> before = TableChecksums.of(source, tables);
            Map<String, TableChecksums.Table> after = TableChecksums.of(target, TableChecksums.appTables(target).stream()
                    .filter(before::containsKey).toList());
            List<TableCheck> checks = new ArrayList<>();
            for (TableChecksums.Table b : before.values()) {
                TableChecksums.Table a = after.get(b.name());
                checks.add(new TableCheck(b.name(), b.rows(), a == null ? null : a.rows(), b.checksum(), a == null ? null : a.checksum(),
                        a != null && a.rows() == b.rows() && Objects.equals(a.checksum(), b.checksum())));
            }
            boolean verified = checks.stream().allMatch(TableCheck::equal);
            if (verified) {
                target.commit();
                committed = true;
            }
            return new Result(checks, verified, findings);
        } finally {
            source.rollback(); // read only: nothing to keep
            source.setAutoCommit(autoCommit);
            if (!committed) {
                target.rollback();
            }
            target.setAutoCommit(targetAutoCommit);
        }
    }

    /** The app's schemas: every schema but the platform's and Postgres's own. */
    static List<String> schemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1")) {
            while (rs.next()) {
                if (!MoveFindings.PLATFORM_SCHEMAS.contains(rs.getString(1))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
