package dev.slipway.shared.data.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The DDL of an app's schemas, read from the catalogs in the caller's transaction (so it matches the
 * data read in the same snapshot): what to run before the data ({@link #before}: schemas, enum types,
 * sequences, tables with columns, defaults and NOT NULL) and after it ({@link #after}: primary keys,
 * unique, check and foreign-key constraints, indexes, views, sequence positions). Reading the catalogs
 * needs no pg_dump binary, which Lambda does not have. Not carried (docs/data.md): functions,
 * triggers, policies, grants, extensions.
 */
public record SchemaScript(List<TableRef> tables, List<String> before, List<String> after) {
    /** A table of the backup: schema and name (unquoted) and its quoted qualified name. */
    public record TableRef(String schema, String name) {
        public String qualified() {
            return quote(schema) + "." + quote(name);
        }
    }

    /** Schemas an app owns: not the system's, and for Supabase not the platform's. */
    public static final Set<String> SYSTEM_SCHEMAS = Set.of("pg_catalog", "information_schema", "pg_toast");

    /**
     * Reads the tables that {@code include} accepts (schema, table) and their DDL. Tables come in
     * name order; partitions are skipped (their parent's COPY carries their rows).
     */
    public static SchemaScript read(Connection c, Predicate<TableRef> include) throws SQLException {
        List<TableRef> tables = new ArrayList<>();
        Map<Long, TableRef> byOid = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT c.oid, n.nspname, c.relname FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT c.relispartition"
                + " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 2, 3")) {
            while (r.next()) {
                TableRef t = new TableRef(r.getString(2), r.getString(3));
                if (include.test(t)) {
                    tables.add(t);
                    byOid.put(r.getLong(1), t);
                }
            }
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        Set<String> schemas = new java.util.TreeSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        for (String schema : schemas) {
            before.add(createSchema(schema));
        }
        if (tables.isEmpty()) {
            return new SchemaScript(tables, before, after);
        }
        String oids = byOid.keySet().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();

        // Enum types the tables' columns use.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT DISTINCT n.nspname, t.typname,"
                + " (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)"
                + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid OR t.typarray = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE a.attrelid IN (" + oids + ") AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'e' ORDER BY 1, 2")) {
            while (r.next()) {
                String type = quote(r.getString(1)) + "." + quote(r.getString(2));
                before.add(createSchema(r.getString(1)));
                before.add("DO $slipway$ BEGIN CREATE TYPE " + type + " AS ENUM (" + r.getString(3)
                        + "); EXCEPTION WHEN duplicate_object THEN NULL; END $slipway$");
            }
        }
        // Sequences owned by the tables' columns (serial); identity columns carry their own.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, sc.relname, seq.seqstart, seq.seqincrement,"
                + " seq.seqmin, seq.seqmax, seq.seqcache, seq.seqcycle, format_type(seq.seqtypid, NULL), d.refobjid, a.attname,"
                + " pg_sequence_last_value(sc.oid)"
                + " FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S' JOIN pg_namespace n ON n.oid = sc.relnamespace"
                + " JOIN pg_sequence seq ON seq.seqrelid = sc.oid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE d.refobjid IN (" + oids + ") AND d.deptype = 'a' ORDER BY 1, 2")) {
            while (r.next()) {
                String seq = quote(r.getString(1)) + "." + quote(r.getString(2));
                before.add("CREATE SEQUENCE IF NOT EXISTS " + seq + " AS " + r.getString(9) + " INCREMENT " + r.getLong(4)
                        + " MINVALUE " + r.getLong(5) + " MAXVALUE " + r.getLong(6) + " START " + r.getLong(3) + " CACHE " + r.getLong(7)
                        + (r.getBoolean(8) ? " CYCLE" : " NO CYCLE"));
                TableRef owner = byOid.get(r.getLong(10));
                after.add("ALTER SEQUENCE " + seq + " OWNED BY " + owner.qualified() + "." + quote(r.getString(11)));
                long last = r.getLong(12);
                if (!r.wasNull()) {
                    after.add("SELECT setval('" + seq.replace("'", "''") + "', " + last + ", true)");
                }
            }
        }
        // Tables: columns in order, with type, identity, default, NOT NULL.
        for (var e : byOid.entrySet()) {
            List<String> columns = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,"
                    + " CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN (SELECT quote_ident(collname) FROM pg_collation WHERE oid = a.attcollation) END"
                    + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
                    + " WHERE a.attrelid = " + e.getKey() + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
                while (r.next()) {
                    StringBuilder col = new StringBuilder(quote(r.getString(1))).append(' ').append(r.getString(2));
                    if (r.getString(7) != null) {
                        col.append(" COLLATE ").append(r.getString(7));
                    }
                    String identity = r.getString(5);
                    String generated = r.getString(6);
                    if ("a".equals(identity) || "d".equals(identity)) {
                        col.append(" GENERATED ").append("a".equals(identity) ? "ALWAYS" : "BY DEFAULT").append(" AS IDENTITY");
                    } else if ("s".equals(generated)) {
                        col.append(" GENERATED ALWAYS AS (").append(r.getString(4)).append(") STORED");
                    } else if (r.getString(4) != null) {
                        col.append(" DEFAULT ").append(r.getString(4));
                    }
                    if (r.getBoolean(3)) {
                        col.append(" NOT NULL");
                    }
                    columns.add(col.toString());
                }
            }
            before.add("CREATE TABLE " + e.getValue().qualified() + " (" + String.join(", ", columns) + ")");
        }
        // Identity columns continue where the source was.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT a.attrelid, a.attname, pg_get_serial_sequence("
                + "quote_ident(n.nspname) || '.' || quote_ident(cl.relname), a.attname) FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE a.attrelid IN (" + oids + ") AND a.attidentity <> '' ORDER BY 1, 2")) {
            while (r.next()) {
                String seq = r.getString(3);
                try (Statement s2 = c.createStatement(); ResultSet v = s2.executeQuery("SELECT last_value, is_called FROM " + seq)) {
                    if (v.next() && v.getBoolean(2)) {
                        after.add("SELECT setval(pg_get_serial_sequence('" + byOid.get(r.getLong(1)).qualified().replace("'", "''") + "', '"
                                + r.getString(2).replace("'", "''") + "'), " + v.getLong(1) + ", true)");
                    }
                }
            }
        }
        // Constraints: primary and unique keys and checks first, foreign keys last (they need the keys).
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT conrelid, conname, pg_get_constraintdef(oid, true), contype"
                + " FROM pg_constraint WHERE conrelid IN (" + oids + ") AND contype IN ('p', 'u', 'c', 'x', 'f')"
                + " ORDER BY contype = 'f', conrelid, conname")) {
            while (r.next()) {
                after.add("ALTER TABLE " + byOid.get(r.getLong(1)).qualified() + " ADD CONSTRAINT " + quote(r.getString(2)) + " " + r.getString(3));
            }
        }
        // Indexes that no constraint made.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
                + " WHERE i.indrelid IN (" + oids + ") AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                + " ORDER BY i.indexrelid")) {
            while (r.next()) {
                after.add(r.getString(1));
            }
        }
        // Views over the included schemas, oldest first (a view may use an older one).
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname = ANY (?::text[])"
                .replace("?", "'{" + String.join(",", schemas.stream().map(x -> "\"" + x.replace("\"", "\\\"") + "\"").toList()) + "}'")
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY c.oid")) {
            while (r.next()) {
                after.add("CREATE VIEW " + quote(r.getString(1)) + "." + quote(r.getString(2)) + " AS " + r.getString(3));
            }
        }
        return new SchemaScript(tables, before, after);
    }

    /**
     * The schema unless it exists: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
     * schema is there, which an app's own user (restoring over its database) usually lacks.
     */
    static String createSchema(String schema) {
        return "DO $slipway$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '" + schema.replace("'", "''")
                + "') THEN CREATE SCHEMA " + quote(schema) + "; END IF; END $slipway$";
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
