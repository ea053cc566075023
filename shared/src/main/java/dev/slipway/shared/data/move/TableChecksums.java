package dev.slipway.shared.data.move;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Row counts and order-independent checksums of a database's app tables, computed by the server itself (the sum of
 * the first 64 bits of each row's MD5 over its text form; memory bounded whatever the size), so a move is checked by
 * another method than the one that copied it. Equal on both sides when the rows are equal (same Postgres major:
 * the text form of a type may change between majors).
 */
public final class TableChecksums {
    /** One table: its qualified name, rows and checksum. */
    public record Table(String name, long rows, String checksum) {
    }

    private TableChecksums() {
    }

    /** The ordinary tables of every schema but the platform's ({@link MoveFindings#PLATFORM_SCHEMAS}), by name. */
    public static List<String> appTables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n.nspname, c.relname FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%'"
                + " ORDER BY 1, 2")) {
            while (rs.next()) {
                if (!MoveFindings.PLATFORM_SCHEMAS.contains(rs.getString(1))) {
                    out.add(quote(rs.getString(1)) + "." + quote(rs.getString(2)));
                }
            }
        }
        return out;
    }

    public static Map<String, Table> of(Connection c, List<String> tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            // a row's text form depends on these settings, which two servers may default differently
            s.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
                    + " SET extra_float_digits = 1; SET bytea_output = 'hex'");
        }
        Map<String, Table> out = new LinkedHashMap<>();
        for (String t : tables) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(('x' || substr(md5(r::text), 1, 16))"
                    + "::bit(64)::bigint::numeric), 0)::text FROM ONLY " + t + " r")) {
                rs.next();
                out.put(t, new Table(t, rs.getLong(1), rs.getString(2)));
            }
        }
        return out;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
