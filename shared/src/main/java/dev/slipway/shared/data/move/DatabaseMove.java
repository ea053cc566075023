package dev.slipway.shared.data.move;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.shared.data.copy.SchemaScript;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
        Copied copy(Connection source, Connection target, List<String> schemas) throws SQLException;
    }

    /**
     * What a copier did: its findings, and the schema objects the target must now have by kind
     * ({@link SchemaScript#objects}: the source's, less those the target refused, each of them a finding).
     */
    public record Copied(List<MoveFinding> findings, Map<String, List<String>> expectedObjects) {
    }

    /** One table on both sides. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TableCheck(String table, long sourceRows, Long targetRows, String sourceChecksum, String targetChecksum, boolean equal) {
    }

    /**
     * What a move did: each table's check, the schema objects that did not come back as expected (by kind, in words),
     * whether all are equal, and the findings.
     */
    public record Result(List<TableCheck> tables, List<String> schemaDifferences, boolean verified, List<MoveFinding> findings) {
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
            List<MoveFinding> findings = new ArrayList<>(MoveFindings.of(source, edgeFunctions));
            List<String> schemas = schemas(source);
            Copied copied = copier.copy(source, target, schemas);
            findings.addAll(copied.findings());
            List<TableCheck> checks = compare(source, target);
            Map<String, SchemaScript.ObjectDigest> expected = new TreeMap<>();
            copied.expectedObjects().forEach((kind, definitions) -> expected.put(kind, SchemaScript.ObjectDigest.of(definitions)));
            List<String> schemaDifferences = SchemaScript.differences(expected, SchemaScript.read(target, scope(schemas)).digest());
            boolean verified = checks.stream().allMatch(TableCheck::equal) && schemaDifferences.isEmpty();
            if (verified) {
                target.commit();
                committed = true;
            }
            return new Result(checks, schemaDifferences, verified, findings);
        } finally {
            source.rollback(); // read only: nothing to keep
            source.setAutoCommit(autoCommit);
            if (!committed) {
                target.rollback();
            }
            target.setAutoCommit(targetAutoCommit);
        }
    }

    /**
     * Checks a target that already holds a copy (the Move step ran again after its copy committed: a redelivered
     * step) against the source now, without writing anything: each table's count and checksum as the move does. The
     * schema's objects are compared too, but the first run's record of what the target refused is gone with it, so a
     * difference there is a finding, not a failure. The source may have changed since the copy: then it does not verify.
     */
    public Result recheck(Connection source, Connection target) throws SQLException {
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false);
        try {
            try (Statement s = source.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            List<String> schemas = schemas(source);
            List<TableCheck> checks = compare(source, target);
            List<String> differences = SchemaScript.differences(SchemaScript.read(source, scope(schemas)).digest(),
                    SchemaScript.read(target, scope(schemas)).digest());
            List<MoveFinding> findings = new ArrayList<>();
            for (String d : differences) {
                findings.add(new MoveFinding("schema-differs", MoveFinding.WARNING, d.substring(0, d.indexOf(':')), "checked again after the"
                        + " copy had committed: " + d + " (statements the target refused the first time were findings of that run)"));
            }
            return new Result(checks, List.of(), checks.stream().allMatch(TableCheck::equal), findings);
        } finally {
            source.rollback();
            source.setAutoCommit(autoCommit);
        }
    }

    /** Every source table's count and checksum beside the target's (computed by each server itself). */
    private static List<TableCheck> compare(Connection source, Connection target) throws SQLException {
        Map<String, TableChecksums.Table> before = TableChecksums.of(source, TableChecksums.appTables(source));
        Map<String, TableChecksums.Table> after = TableChecksums.of(target, TableChecksums.appTables(target).stream()
                .filter(before::containsKey).toList());
        List<TableCheck> checks = new ArrayList<>();
        for (TableChecksums.Table b : before.values()) {
            TableChecksums.Table a = after.get(b.name());
            checks.add(new TableCheck(b.name(), b.rows(), a == null ? null : a.rows(), b.checksum(), a == null ? null : a.checksum(),
                    a != null && a.rows() == b.rows() && Objects.equals(a.checksum(), b.checksum())));
        }
        return checks;
    }

    private static SchemaScript.Scope scope(List<String> schemas) {
        return SchemaScript.Scope.schemas(schemas::contains);
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
