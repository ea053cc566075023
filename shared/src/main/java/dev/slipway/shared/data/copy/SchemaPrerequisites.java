package dev.slipway.shared.data.copy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link SchemaScript} needs on its target before it runs, made there in the restore's (or move's)
 * transaction, so a Supabase-shaped schema restores into plain Postgres:
 * <ul>
 * <li>the source's extensions, where the target has them (one it lacks, or refuses, is reported: what uses it then
 * fails the restore by itself);</li>
 * <li>the roles its grants and policies name ({@code anon}, {@code authenticated}, {@code service_role} …), created
 * {@code NOLOGIN} when missing: they only carry privileges; nobody signs in as them;</li>
 * <li>Supabase's {@code auth.uid()}, {@code auth.role()}, {@code auth.jwt()} and {@code auth.email()} when the script
 * calls them and neither it nor the target defines them: our own functions that read the JWT claims from the
 * {@code request.jwt.claims} setting as Supabase's do (PostgREST sets it per request), so policies keep working for an
 * app that sets it.</li>
 * </ul>
 * Everything made is reported ({@link Outcome}); nothing is dropped without a word.
 */
public final class SchemaPrerequisites {
    /** Our Supabase-compatible functions, by name: each reads one claim of the request's JWT. */
    static final Map<String, String> AUTH_FUNCTIONS = new LinkedHashMap<>();

    static {
        AUTH_FUNCTIONS.put("uid", "uuid LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),"
                + " (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$");
        AUTH_FUNCTIONS.put("role", "text LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),"
                + " (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$");
        AUTH_FUNCTIONS.put("email", "text LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),"
                + " (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text $$");
        AUTH_FUNCTIONS.put("jwt", "jsonb LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),"
                + " nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$");
    }

    private static final Pattern CALLS_AUTH = Pattern.compile("\\bauth\\.\"?(uid|role|jwt|email)\"?\\s*\\(");
    private static final Pattern DEFINES_AUTH = Pattern.compile("^CREATE (OR REPLACE )?FUNCTION auth\\.\"?(uid|role|jwt|email)\"?\\(");

    /**
     * What was made or is missing. {@code extensionsMissing}: name → why (not available, or refused).
     * {@code rolesMissing}: roles the target lacks and the restoring user may not create (no CREATEROLE).
     */
    public record Outcome(Map<String, String> extensionsMissing, List<String> rolesCreated, List<String> rolesMissing,
                          List<String> authFunctionsCreated) {
    }

    private SchemaPrerequisites() {
    }

    /** Makes on {@code target} (in its open transaction) what {@code script} needs; answers what it did and could not do. */
    public static Outcome prepare(Connection target, SchemaScript script) throws SQLException {
        Map<String, String> extensionsMissing = new LinkedHashMap<>();
        Set<String> available = strings(target, "SELECT name FROM pg_available_extensions");
        for (SchemaScript.Extension e : script.extensions()) {
            if (!available.contains(e.name())) {
                extensionsMissing.put(e.name(), "not available on this server");
                continue;
            }
            String refused = attempt(target, SchemaScript.createSchema(e.schema()),
                    "CREATE EXTENSION IF NOT EXISTS " + SchemaScript.quote(e.name()) + " WITH SCHEMA " + SchemaScript.quote(e.schema()));
            if (refused != null) {
                extensionsMissing.put(e.name(), refused);
            }
        }
        List<String> rolesCreated = new ArrayList<>();
        List<String> rolesMissing = new ArrayList<>();
        Set<String> existing = strings(target, "SELECT rolname FROM pg_roles");
        for (String role : script.roles()) {
            if (!existing.contains(role)) {
                (attempt(target, "CREATE ROLE " + SchemaScript.quote(role) + " NOLOGIN") == null ? rolesCreated : rolesMissing).add(role);
            }
        }
        List<String> authCreated = new ArrayList<>();
        Set<String> called = new TreeSet<>();
        Set<String> defined = new TreeSet<>();
        for (List<String> part : List.of(script.before(), script.after())) {
            for (String sql : part) {
                Matcher m = CALLS_AUTH.matcher(sql);
                while (m.find()) {
                    called.add(m.group(1));
                }
                Matcher d = DEFINES_AUTH.matcher(sql);
                if (d.find()) {
                    defined.add(d.group(2));
                }
            }
        }
        called.removeAll(defined);
        List<String> make = new ArrayList<>();
        for (String f : AUTH_FUNCTIONS.keySet()) {
            if (called.contains(f) && !exists(target, "auth." + f + "()")) {
                make.add("CREATE FUNCTION auth." + f + "() RETURNS " + AUTH_FUNCTIONS.get(f));
                authCreated.add("auth." + f + "()");
            }
        }
        if (!make.isEmpty()) {
            make.add(0, SchemaScript.createSchema("auth"));
            // policies run as the querying role, which must be able to reach the functions (not the schema's tables)
            make.add("GRANT USAGE ON SCHEMA auth TO PUBLIC");
            if (attempt(target, make.toArray(String[]::new)) != null) {
                authCreated.clear(); // what calls them fails by itself, and says so
            }
        }
        return new Outcome(extensionsMissing, rolesCreated, rolesMissing, authCreated);
    }

    /** Runs the statements in a savepoint; answers null, or the first line of the target's refusal (rolled back to it). */
    private static String attempt(Connection c, String... statements) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.releaseSavepoint(sp);
            return null;
        } catch (SQLException e) {
            c.rollback(sp);
            return e.getMessage() == null ? "refused" : e.getMessage().lines().findFirst().orElse("refused");
        }
    }

    private static boolean exists(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regprocedure(?) IS NOT NULL")) {
            ps.setString(1, function);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }
}
