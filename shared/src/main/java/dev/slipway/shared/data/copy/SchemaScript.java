package dev.slipway.shared.data.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The DDL of an app's schemas, read from the catalogs in the caller's transaction (so it matches the
 * data read in the same snapshot), in the order a restore runs it:
 * <ul>
 * <li>{@link #extensions} and {@link #roles}: what the target must have first ({@link SchemaPrerequisites});</li>
 * <li>{@link #before} the data: schemas, types (enums, domains, composite types), functions (bodies unchecked, as pg_dump does, so their order
 * does not matter), sequences, tables with columns and defaults, views, then the functions whose signature uses a
 * table's row type (or whose SQL-standard body is parsed at once) and the defaults that call the app's functions;</li>
 * <li>{@link #after} the data: primary keys, unique, check, exclusion and foreign-key constraints, indexes, sequence
 * positions, then triggers (so loading never fires them), row-level security and its policies, grants, default
 * privileges and comments.</li>
 * </ul>
 * Names are read with an empty search_path, so every one is schema-qualified. Reading the catalogs needs no pg_dump
 * binary, which Lambda does not have. Owners are not carried: the restoring user owns what it creates (as
 * {@code pg_restore --no-owner}). {@link #objects} are the definitions a restore must bring back, by kind, to compare
 * a restored copy with its source ({@link #differences}). Not carried (docs/data.md): event triggers, publications,
 * aggregates, materialized views, column privileges, large objects.
 */
public record SchemaScript(List<TableRef> tables, List<String> before, List<String> after, List<Extension> extensions,
                           List<String> roles, Map<String, List<String>> objects) {
    /** A table of the backup: schema and name (unquoted) and its quoted qualified name. */
    public record TableRef(String schema, String name) {
        public String qualified() {
            return quote(schema) + "." + quote(name);
        }
    }

    /** An extension the source has, and the schema it lives in. */
    public record Extension(String name, String schema) {
    }

    /** What to read: the app's schemas (their functions, views, grants …) and its tables (rows, triggers, policies). */
    public record Scope(Predicate<String> schemas, Predicate<TableRef> tables) {
        /** Every schema the predicate accepts, and all its tables. */
        public static Scope schemas(Predicate<String> schemas) {
            return new Scope(schemas, t -> schemas.test(t.schema()));
        }
    }

    /** Schemas an app owns: not the system's, and for Supabase not the platform's. */
    public static final Set<String> SYSTEM_SCHEMAS = Set.of("pg_catalog", "information_schema", "pg_toast");

    /** The kinds of {@link #objects}, each a sorted list of definitions. */
    public static final List<String> OBJECT_KINDS = List.of("types", "functions", "views", "constraints", "indexes", "triggers",
            "rowSecurity", "policies", "grants", "defaultPrivileges", "comments");

    /**
     * Reads the tables and schemas {@code scope} accepts and their DDL. Tables come in name order; partitions are
     * skipped (their parent's COPY carries their rows).
     */
    public static SchemaScript read(Connection c, Scope scope) throws SQLException {
        String searchPath = value(c, "SELECT current_setting('search_path')");
        value(c, "SELECT set_config('search_path', '', false)"); // every name comes out qualified
        try {
            return readQualified(c, scope);
        } finally {
            try (var ps = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
                ps.setString(1, searchPath);
                ps.execute();
            } catch (SQLException ignored) {
                // the transaction failed: the caller rolls it back, which restores the setting
            }
        }
    }

    private static SchemaScript readQualified(Connection c, Scope scope) throws SQLException {
        List<TableRef> tables = new ArrayList<>();
        Map<Long, TableRef> byOid = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT c.oid, n.nspname, c.relname FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT c.relispartition"
                + " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 2, 3")) {
            while (r.next()) {
                TableRef t = new TableRef(r.getString(2), r.getString(3));
                if (scope.tables().test(t)) {
                    tables.add(t);
                    byOid.put(r.getLong(1), t);
                }
            }
        }
        // The app's schemas (their functions, views, grants …), and the schemas to create: those and the tables'.
        Set<String> appSchemas = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT nspname FROM pg_namespace n WHERE nspname NOT LIKE 'pg\\_%'"
                + " AND nspname <> 'information_schema' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = n.oid AND d.deptype = 'e')")) {
            while (r.next()) {
                if (scope.schemas().test(r.getString(1))) {
                    appSchemas.add(r.getString(1));
                }
            }
        }
        Set<String> schemas = new TreeSet<>(appSchemas);
        tables.forEach(t -> schemas.add(t.schema()));
        Map<String, List<String>> objects = new TreeMap<>();
        OBJECT_KINDS.forEach(k -> objects.put(k, new ArrayList<>()));
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        // Function bodies are checked when they run, not when created (pg_dump does the same): their order is free.
        before.add("SET LOCAL check_function_bodies = false");
        for (String schema : schemas) {
            before.add(createSchema(schema));
        }
        String oids = byOid.isEmpty() ? "0" : byOid.keySet().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        String inSchemas = "ANY (" + textArray(appSchemas) + ")";
        SchemaObjects more = new SchemaObjects(c, oids, inSchemas);

        // Types: enums the tables' columns use or the app's schemas hold, then the app's domains and composite types
        // (columns and function signatures may use any of them). Each only unless it exists (a restore over a database).
        String notExtension = " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')";
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, t.typname,"
                + " (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)"
                + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND (n.nspname = " + inSchemas + notExtension
                + " OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid IN (" + oids + ") AND a.attnum > 0 AND NOT a.attisdropped"
                + "   AND (a.atttypid = t.oid OR a.atttypid = t.typarray))) ORDER BY 1, 2")) {
            while (r.next()) {
                before.add(createSchema(r.getString(1)));
                type(before, objects, "CREATE TYPE " + quote(r.getString(1)) + "." + quote(r.getString(2)) + " AS ENUM (" + r.getString(3) + ")");
            }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),"
                + " t.typdefault, t.typnotnull, (SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid, true), ''"
                + "   ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid)"
                + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND n.nspname = " + inSchemas + notExtension
                + " ORDER BY t.oid")) {
            while (r.next()) {
                type(before, objects, "CREATE DOMAIN " + quote(r.getString(1)) + "." + quote(r.getString(2)) + " AS " + r.getString(3)
                        + (r.getString(4) == null ? "" : " DEFAULT " + r.getString(4)) + (r.getBoolean(5) ? " NOT NULL" : "")
                        + (r.getString(6) == null ? "" : r.getString(6)));
            }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, t.typname, (SELECT string_agg(quote_ident(a.attname)"
                + "   || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid"
                + "   AND a.attnum > 0 AND NOT a.attisdropped)"
                + " FROM pg_type t JOIN pg_class k ON k.oid = t.typrelid AND k.relkind = 'c' JOIN pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE n.nspname = " + inSchemas + notExtension + " ORDER BY t.oid")) {
            while (r.next()) {
                type(before, objects, "CREATE TYPE " + quote(r.getString(1)) + "." + quote(r.getString(2)) + " AS ("
                        + (r.getString(3) == null ? "" : r.getString(3)) + ")");
            }
        }
        SchemaObjects.Functions functions = more.functions();
        before.addAll(functions.early());
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
        // Tables: columns in order, with type, identity, default, NOT NULL. A default that calls one of the app's
        // functions is set after all functions exist (one may need this table's row type).
        List<String> deferredDefaults = new ArrayList<>();
        for (var e : byOid.entrySet()) {
            List<String> columns = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,"
                    + " CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN (SELECT quote_ident(collname) FROM pg_collation WHERE oid = a.attcollation) END,"
                    + " EXISTS (SELECT 1 FROM pg_depend d JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace pn ON pn.oid = p.pronamespace"
                    + "   WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_proc'::regclass AND pn.nspname = " + inSchemas + ")"
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
                    } else if (r.getString(4) != null && r.getBoolean(8)) {
                        deferredDefaults.add("ALTER TABLE " + e.getValue().qualified() + " ALTER COLUMN " + quote(r.getString(1))
                                + " SET DEFAULT " + r.getString(4));
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
        // Views over the included schemas, oldest first (a view may use an older one); no rows, so before the data.
        // Their options too: security_invoker decides whether a view's reads pass the tables' row-level security.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true),"
                + " array_to_string(c.reloptions, ', ')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname = " + inSchemas
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY c.oid")) {
            while (r.next()) {
                String options = r.getString(4) == null || r.getString(4).isEmpty() ? "" : " WITH (" + r.getString(4) + ")";
                String view = "CREATE OR REPLACE VIEW " + quote(r.getString(1)) + "." + quote(r.getString(2)) + options + " AS " + r.getString(3);
                before.add(view);
                objects.get("views").add(view);
            }
        }
        before.addAll(functions.late());
        before.addAll(deferredDefaults);
        objects.get("functions").addAll(functions.early());
        objects.get("functions").addAll(functions.late());

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
                String constraint = "ALTER TABLE " + byOid.get(r.getLong(1)).qualified() + " ADD CONSTRAINT " + quote(r.getString(2)) + " " + r.getString(3);
                after.add(constraint);
                objects.get("constraints").add(constraint);
            }
        }
        // Indexes that no constraint made.
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
                + " WHERE i.indrelid IN (" + oids + ") AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                + " ORDER BY i.indexrelid")) {
            while (r.next()) {
                after.add(r.getString(1));
                objects.get("indexes").add(r.getString(1));
            }
        }
        // After the data: triggers (a restore must not fire them while loading), row-level security and its policies,
        // grants, default privileges, comments.
        for (String kind : List.of("triggers", "rowSecurity", "policies", "grants", "defaultPrivileges", "comments")) {
            List<String> statements = more.after(kind, functions.oids());
            after.addAll(statements);
            objects.get(kind).addAll(statements);
        }
        objects.values().forEach(l -> l.sort(null));
        objects.replaceAll((k, v) -> List.copyOf(v));
        return new SchemaScript(tables, before, after, more.extensions(), List.copyOf(more.roles()), Map.copyOf(objects));
    }

    /**
     * What of {@code expected}'s objects the {@code actual} copy lacks or has in another form, by kind, in words
     * (empty: the same). Kinds absent from {@code expected} are not compared (an older backup's manifest).
     */
    public static List<String> differences(Map<String, ObjectDigest> expected, Map<String, ObjectDigest> actual) {
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            ObjectDigest a = actual.getOrDefault(e.getKey(), new ObjectDigest(0, ObjectDigest.of(List.of()).sha256()));
            if (!a.equals(e.getValue())) {
                out.add(e.getKey() + ": " + e.getValue().count() + " in the source (" + e.getValue().sha256().substring(0, 12) + "), "
                        + a.count() + " restored (" + a.sha256().substring(0, 12) + ")");
            }
        }
        return out;
    }

    /** The {@link #objects} as counts and hashes, as a backup's manifest keeps them. */
    public Map<String, ObjectDigest> digest() {
        Map<String, ObjectDigest> out = new TreeMap<>();
        objects.forEach((k, v) -> out.put(k, ObjectDigest.of(v)));
        return out;
    }

    /** The objects of one kind: how many, and the SHA-256 of their sorted definitions. */
    public record ObjectDigest(int count, String sha256) {
        public static ObjectDigest of(List<String> definitions) {
            try {
                java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
                for (String x : definitions) {
                    d.update(x.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    d.update((byte) 0);
                }
                return new ObjectDigest(definitions.size(), java.util.HexFormat.of().formatHex(d.digest()));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A type, unless one of that name exists (a restore over a database that has it). */
    private static void type(List<String> before, Map<String, List<String>> objects, String create) {
        before.add("DO $slipway$ BEGIN " + create + "; EXCEPTION WHEN duplicate_object THEN NULL; END $slipway$");
        objects.get("types").add(create);
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

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String textArray(Collection<String> values) {
        return "ARRAY[" + String.join(", ", values.stream().map(SchemaScript::literal).toList()) + "]::text[]";
    }

    private static String value(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
