package dev.slipway.shared.data.copy;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.slipway.shared.data.copy.SchemaScript.quote;

/**
 * The schema objects {@link SchemaScript} carries beyond tables, read from the catalogs with an empty search_path:
 * extensions, functions and procedures ({@code pg_get_functiondef}), triggers ({@code pg_get_triggerdef}), row-level
 * security and policies ({@code pg_policy}), grants ({@code aclexplode}), the connecting role's default privileges
 * and comments ({@code pg_description}); and the roles they name.
 */
final class SchemaObjects {
    private final Connection c;
    /** The carried tables' oids, as an SQL list. */
    private final String tableOids;
    /** {@code ANY (ARRAY[…])} of the app's schemas. */
    private final String inSchemas;
    private final Set<String> roles = new TreeSet<>();

    /** Functions before the tables (early), after the tables and views (late), and all their oids. */
    record Functions(List<String> early, List<String> late, String oids) {
    }

    SchemaObjects(Connection c, String tableOids, String inSchemas) {
        this.c = c;
        this.tableOids = tableOids;
        this.inSchemas = inSchemas;
    }

    Set<String> roles() {
        return roles;
    }

    List<SchemaScript.Extension> extensions() throws SQLException {
        List<SchemaScript.Extension> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT e.extname, n.nspname FROM pg_extension e"
                + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1")) {
            while (r.next()) {
                out.add(new SchemaScript.Extension(r.getString(1), r.getString(2)));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Functions and procedures of the app's schemas (not an extension's). Late: a signature with a table's row type
     * (which must exist first) or an SQL-standard body (parsed when created, so its tables must exist).
     */
    Functions functions() throws SQLException {
        boolean sqlBody = Integer.parseInt(one("SELECT current_setting('server_version_num')")) >= 140000;
        List<String> early = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> oids = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT p.oid, pg_get_functiondef(p.oid),"
                + (sqlBody ? " p.prosqlbody IS NOT NULL" : " false") + " OR EXISTS (SELECT 1 FROM pg_depend d JOIN pg_type t ON t.oid = d.refobjid"
                + "   WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_type'::regclass AND t.typrelid <> 0)"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND n.nspname = " + inSchemas
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
                + " ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)")) {
            while (r.next()) {
                oids.add(r.getString(1));
                (r.getBoolean(3) ? late : early).add(r.getString(2).strip());
            }
        }
        return new Functions(early, late, oids.isEmpty() ? "0" : String.join(",", oids));
    }

    /** The statements of one kind run after the data (see {@link SchemaScript#OBJECT_KINDS}). */
    List<String> after(String kind, String functionOids) throws SQLException {
        return switch (kind) {
            case "triggers" -> triggers();
            case "rowSecurity" -> strings("SELECT 'ALTER TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' || x.what"
                    + " || ' ROW LEVEL SECURITY' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " CROSS JOIN LATERAL (VALUES (1, 'ENABLE', c.relrowsecurity), (2, 'FORCE', c.relforcerowsecurity)) x(o, what, yes)"
                    + " WHERE c.oid IN (" + tableOids + ") AND x.yes ORDER BY c.oid, x.o");
            case "policies" -> policies();
            case "grants" -> grants(functionOids);
            case "defaultPrivileges" -> defaultPrivileges();
            case "comments" -> comments(functionOids);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private List<String> triggers() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_get_triggerdef(t.oid), t.tgenabled,"
                + " quote_ident(t.tgname), quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
                + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE t.tgrelid IN (" + tableOids + ") AND NOT t.tgisinternal ORDER BY t.tgrelid, t.tgname")) {
            while (r.next()) {
                out.add(r.getString(1));
                String state = switch (r.getString(2)) {
                    case "D" -> "DISABLE TRIGGER ";
                    case "R" -> "ENABLE REPLICA TRIGGER ";
                    case "A" -> "ENABLE ALWAYS TRIGGER ";
                    default -> null;
                };
                if (state != null) {
                    out.add("ALTER TABLE " + r.getString(4) + " " + state + r.getString(3));
                }
            }
        }
        return out;
    }

    private List<String> policies() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT quote_ident(p.polname),"
                + " quote_ident(n.nspname) || '.' || quote_ident(c.relname), p.polpermissive, p.polcmd,"
                + " ARRAY(SELECT coalesce(r.rolname, '') FROM unnest(p.polroles) u(oid) LEFT JOIN pg_roles r ON r.oid = u.oid ORDER BY 1),"
                + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)"
                + " FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE p.polrelid IN (" + tableOids + ") ORDER BY 2, 1")) {
            while (r.next()) {
                StringBuilder p = new StringBuilder("CREATE POLICY ").append(r.getString(1)).append(" ON ").append(r.getString(2))
                        .append(r.getBoolean(3) ? " AS PERMISSIVE" : " AS RESTRICTIVE").append(" FOR ").append(switch (r.getString(4)) {
                            case "r" -> "SELECT";
                            case "a" -> "INSERT";
                            case "w" -> "UPDATE";
                            case "d" -> "DELETE";
                            default -> "ALL";
                        });
                List<String> to = new ArrayList<>();
                for (String role : names(r.getArray(5))) {
                    to.add(role.isEmpty() ? "PUBLIC" : role(role));
                }
                p.append(" TO ").append(String.join(", ", to));
                if (r.getString(6) != null) {
                    p.append(" USING (").append(r.getString(6)).append(')');
                }
                if (r.getString(7) != null) {
                    p.append(" WITH CHECK (").append(r.getString(7)).append(')');
                }
                out.add(p.toString());
            }
        }
        return out;
    }

    /**
     * Grants on the app's schemas, carried tables, views, their sequences and functions, as REVOKE ALL FROM PUBLIC
     * (where the source changed the defaults) and one GRANT per grantee. The owner's and the connecting user's own
     * rights are left out: on the target the restoring user owns what it creates.
     */
    private List<String> grants(String functionOids) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("WITH o(kind, name, acl, owner, t) AS ("
                + " SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
                + "   c.relacl, c.relowner, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "   WHERE c.relacl IS NOT NULL AND n.nspname = " + inSchemas + " AND (c.oid IN (" + tableOids + ")"
                + "   OR c.relkind = 'v' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
                + "   OR c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.refobjid IN (" + tableOids + ")))"
                + " UNION ALL SELECT 'ROUTINE', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
                + "   p.proacl, p.proowner, 'f' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proacl IS NOT NULL AND p.oid IN (" + functionOids + ")"
                + " UNION ALL SELECT 'SCHEMA', quote_ident(n.nspname), n.nspacl, n.nspowner, 'n' FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND n.nspname = " + inSchemas
                + "), e AS (SELECT o.kind, o.name, coalesce(r.rolname, '') AS grantee, a.privilege_type, a.is_grantable"
                + "   FROM o CROSS JOIN LATERAL aclexplode(o.acl) a LEFT JOIN pg_roles r ON r.oid = a.grantee"
                + "   WHERE a.grantee <> o.owner AND a.grantee <> (SELECT oid FROM pg_roles WHERE rolname = current_user))"
                + ", g AS (SELECT o.kind, o.name, e.grantee, string_agg(e.privilege_type, ', ' ORDER BY e.privilege_type) AS privileges, e.is_grantable,"
                + "   " + everything("o.t", "o.owner") + " AS everything"
                + "   FROM o LEFT JOIN e ON e.kind = o.kind AND e.name = o.name GROUP BY o.kind, o.name, e.grantee, e.is_grantable, o.t, o.owner)"
                + " SELECT kind, name, grantee, CASE WHEN privileges = everything THEN 'ALL' ELSE privileges END, is_grantable FROM g"
                + " ORDER BY 1, 2, 3 NULLS FIRST, 5")) {
            String last = null;
            while (r.next()) {
                String object = r.getString(1) + " " + r.getString(2);
                if (!object.equals(last)) {
                    out.add("REVOKE ALL ON " + object + " FROM PUBLIC");
                    last = object;
                }
                if (r.getString(3) != null) { // null: only the owner's own rights
                    String grantee = r.getString(3).isEmpty() ? "PUBLIC" : role(r.getString(3));
                    out.add("GRANT " + r.getString(4) + " ON " + object + " TO " + grantee + (r.getBoolean(5) ? " WITH GRANT OPTION" : ""));
                }
            }
        }
        // The public schema as Postgres 15+ makes it (everyone may use it): nothing to restore, and only its owner could.
        List<String> stockPublic = List.of("REVOKE ALL ON SCHEMA public FROM PUBLIC", "GRANT USAGE ON SCHEMA public TO PUBLIC");
        if (out.stream().filter(x -> x.contains(" ON SCHEMA public ")).toList().equals(stockPublic)) {
            out.removeAll(stockPublic);
        }
        return out;
    }

    /**
     * The default privileges the connecting role (the one migrations run as) set in the app's schemas, applied to the
     * restoring role: other roles' defaults shape objects only they create.
     */
    private List<String> defaultPrivileges() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT quote_ident(n.nspname), d.defaclobjtype, coalesce(r.rolname, ''),"
                + " CASE WHEN string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) = "
                + everything("CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END::\"char\"", "d.defaclrole")
                + " THEN 'ALL' ELSE string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) END, a.is_grantable"
                + " FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace CROSS JOIN LATERAL aclexplode(d.defaclacl) a"
                + " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                + " AND n.nspname = " + inSchemas + " AND a.grantee <> d.defaclrole GROUP BY 1, 2, 3, 5, d.defaclobjtype, d.defaclrole ORDER BY 1, 2, 3, 5")) {
            while (r.next()) {
                String on = switch (r.getString(2)) {
                    case "r" -> "TABLES";
                    case "S" -> "SEQUENCES";
                    case "f" -> "FUNCTIONS";
                    case "T" -> "TYPES";
                    default -> null;
                };
                if (on != null) {
                    String grantee = r.getString(3).isEmpty() ? "PUBLIC" : role(r.getString(3));
                    out.add("ALTER DEFAULT PRIVILEGES IN SCHEMA " + r.getString(1) + " GRANT " + r.getString(4) + " ON " + on + " TO " + grantee
                            + (r.getBoolean(5) ? " WITH GRANT OPTION" : ""));
                }
            }
        }
        return out;
    }

    /** Comments on the app's schemas (not {@code public}'s stock one), tables, columns, views, functions, constraints, triggers, policies. */
    private List<String> comments(String functionOids) throws SQLException {
        String table = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";
        return strings("SELECT x || ' IS ' || quote_literal(d.description) FROM ("
                + " SELECT d.description, 'COMMENT ON ' || CASE WHEN d.objsubid <> 0 THEN 'COLUMN ' || " + table + " || '.' || quote_ident(a.attname)"
                + "   WHEN c.relkind = 'v' THEN 'VIEW ' || " + table + " ELSE 'TABLE ' || " + table + " END"
                + "   FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid"
                + "   JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid"
                + "   WHERE c.oid IN (" + tableOids + ") OR c.relkind = 'v' AND n.nspname = " + inSchemas
                + "   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')"
                + " UNION ALL SELECT d.description, 'COMMENT ON ' || CASE WHEN p.prokind = 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END"
                + "   || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
                + "   FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid"
                + "   JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid IN (" + functionOids + ")"
                + " UNION ALL SELECT d.description, 'COMMENT ON SCHEMA ' || quote_ident(n.nspname) FROM pg_description d"
                + "   JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND n.oid = d.objoid WHERE n.nspname = " + inSchemas
                + "   AND n.nspname <> 'public'"
                + " UNION ALL SELECT d.description, 'COMMENT ON CONSTRAINT ' || quote_ident(k.conname) || ' ON ' || " + table
                + "   FROM pg_description d JOIN pg_constraint k ON d.classoid = 'pg_constraint'::regclass AND k.oid = d.objoid"
                + "   JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.conrelid IN (" + tableOids + ")"
                + " UNION ALL SELECT d.description, 'COMMENT ON TRIGGER ' || quote_ident(t.tgname) || ' ON ' || " + table
                + "   FROM pg_description d JOIN pg_trigger t ON d.classoid = 'pg_trigger'::regclass AND t.oid = d.objoid"
                + "   JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgrelid IN (" + tableOids + ")"
                + "   AND NOT t.tgisinternal"
                + " UNION ALL SELECT d.description, 'COMMENT ON POLICY ' || quote_ident(p.polname) || ' ON ' || " + table
                + "   FROM pg_description d JOIN pg_policy p ON d.classoid = 'pg_policy'::regclass AND p.oid = d.objoid"
                + "   JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.polrelid IN (" + tableOids + ")"
                + ") d(description, x) ORDER BY 1");
    }

    /**
     * Every privilege an object of that kind has on this server (its owner's by default), as the grants list them:
     * a grant of them all is written {@code ALL}, so Postgres 17's MAINTAIN on the source does not break a restore into
     * 16, and the restored copy reads back the same.
     */
    private static String everything(String aclKind, String owner) {
        return "(SELECT string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) FROM aclexplode(acldefault(" + aclKind + ", " + owner
                + ")) x WHERE x.grantee = " + owner + ")";
    }

    /** A role the script names: remembered (the target must have it), and quoted. */
    private String role(String name) {
        roles.add(name);
        return quote(name);
    }

    private static List<String> names(Array array) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add((String) o);
        }
        return out;
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private String one(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
