package dev.slipway.shared.data.move;

import dev.slipway.shared.data.copy.SchemaPrerequisites;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What cannot move from a source database (a Supabase project above all) to a plain Postgres the owner runs:
 * Supabase's own services (auth, storage, edge functions in {@code supabase/functions/}), the extensions the target
 * lacks, and the schema that depends on them (policies calling {@code auth.uid()}, foreign keys into
 * {@code auth.users}, grants to Supabase's roles). Read from the catalogs; nothing is changed on either side.
 */
public final class MoveFindings {
    /** Schemas Supabase (and Postgres) manage themselves: never the app's, never copied by a move. */
    public static final Set<String> PLATFORM_SCHEMAS = Set.of("auth", "storage", "realtime", "_realtime", "supabase_functions",
            "supabase_migrations", "extensions", "graphql", "graphql_public", "pgbouncer", "pgsodium", "pgsodium_masks", "vault",
            "net", "cron", "_analytics", "pgtle", "information_schema", "pg_catalog", "pg_toast");

    private MoveFindings() {
    }

    /** The Supabase Edge Functions among a repository's paths: the folders of {@code supabase/functions/} (not {@code _shared}). */
    public static Set<String> edgeFunctions(Collection<String> repositoryPaths) {
        Set<String> functions = new TreeSet<>();
        for (String p : repositoryPaths) {
            String[] parts = p.split("/");
            if (parts.length >= 4 && parts[0].equals("supabase") && parts[1].equals("functions") && !parts[2].startsWith("_")) {
                functions.add(parts[2]);
            }
        }
        return functions;
    }

    /**
     * What the restore or move had to make on its target for the schema to fit ({@link SchemaPrerequisites}), or could
     * not: extensions, roles, Supabase's auth functions.
     */
    public static List<MoveFinding> of(SchemaPrerequisites.Outcome o) {
        List<MoveFinding> out = new ArrayList<>();
        o.extensionsMissing().forEach((name, why) -> out.add(new MoveFinding("extension-missing", MoveFinding.WARNING, "extension " + name,
                "the target could not install extension " + name + " (" + why + "): what uses it (types, functions, indexes) is not there"
                        + " until it is installed")));
        if (!o.rolesCreated().isEmpty()) {
            out.add(new MoveFinding("roles-created", MoveFinding.INFO, "roles " + String.join(", ", o.rolesCreated()), "the target lacked"
                    + " these roles, which the schema's grants and policies name: they were created NOLOGIN (they carry privileges; nobody"
                    + " signs in as them) so the grants and policies came along. GRANT a role to the user the app connects as, or SET ROLE, to use them"));
        }
        if (!o.rolesMissing().isEmpty()) {
            out.add(new MoveFinding("roles-missing", MoveFinding.WARNING, "roles " + String.join(", ", o.rolesMissing()), "the target lacks"
                    + " these roles and its user may not create them (CREATEROLE): the grants and policies naming them were not created"));
        }
        if (!o.authFunctionsCreated().isEmpty()) {
            out.add(new MoveFinding("supabase-auth-functions", MoveFinding.WARNING, String.join(", ", o.authFunctionsCreated()),
                    "the schema calls Supabase's auth functions, which plain Postgres lacks: Slipway created compatible ones in schema auth that"
                            + " read the request's JWT claims from the request.jwt.claims setting, as Supabase's do. Set it per transaction"
                            + " (SET LOCAL request.jwt.claims = '{\"sub\":\"…\",\"role\":\"authenticated\"}') where the app queries;"
                            + " without it auth.uid() is null and policies using it let no row through"));
        }
        return out;
    }

    /** @param edgeFunctions the app's Supabase Edge Functions ({@link #edgeFunctions}) */
    public static List<MoveFinding> of(Connection source, Collection<String> edgeFunctions) throws SQLException {
        List<MoveFinding> out = new ArrayList<>();
        if (exists(source, "auth.users")) {
            long users = count(source, "SELECT count(*) FROM auth.users");
            out.add(new MoveFinding("supabase-auth", MoveFinding.WARNING, "auth.users", users + " user(s) sign in through Supabase Auth,"
                    + " which does not move: sign-in, sessions and password hashes stay with Supabase; auth.users is not copied."
                    + " Move sign-in to a provider you run first, or keep Supabase Auth and point the app at both"));
        }
        if (exists(source, "storage.objects")) {
            long files = count(source, "SELECT count(*) FROM storage.objects");
            out.add(new MoveFinding("supabase-storage", MoveFinding.WARNING, "storage.objects", files + " file(s) in Supabase Storage"
                    + " do not move with the database (only their metadata lives in it): copy the buckets to S3 and change the app's URLs"));
        }
        Set<String> functions = new TreeSet<>(edgeFunctions);
        if (!functions.isEmpty()) {
            out.add(new MoveFinding("supabase-edge-functions", MoveFinding.WARNING, "supabase/functions/", functions.size()
                    + " Supabase Edge Function(s) (" + String.join(", ", functions) + ") run on Supabase, not in the database:"
                    + " they keep running there until they are ported (e.g. to the app's server or a Lambda)"));
        }
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT schemaname, tablename, policyname FROM pg_policies WHERE coalesce(qual, '') ~ 'auth\\.(uid|jwt|role)\\(\\)'"
                        + " OR coalesce(with_check, '') ~ 'auth\\.(uid|jwt|role)\\(\\)' ORDER BY 1, 2, 3")) {
            while (rs.next()) {
                String table = rs.getString(1) + "." + rs.getString(2);
                out.add(new MoveFinding("policy-uses-supabase-auth", MoveFinding.WARNING, "policy \"" + rs.getString(3) + "\" on " + table,
                        "the row-level security policy calls Supabase's auth.uid()/auth.jwt(): on the target they read the request's JWT"
                                + " claims from the request.jwt.claims setting (see supabase-auth-functions), so " + table + " is filtered per user"
                                + " only when the app sets it per request and queries as the policy's role; otherwise the policy lets no row through"));
            }
        }
        if (exists(source, "auth.users")) {
            try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = 'auth.users'::regclass ORDER BY 2, 1")) {
                while (rs.next()) {
                    out.add(new MoveFinding("foreign-key-to-supabase-auth", MoveFinding.WARNING, "constraint " + rs.getString(1)
                            + " on " + rs.getString(2), "references auth.users, which does not move: the column is copied, the constraint is not"));
                }
            }
        }
        if (exists(source, "auth.users")) {
            try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT tgname FROM pg_trigger"
                    + " WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal ORDER BY 1")) {
                while (rs.next()) {
                    out.add(new MoveFinding("trigger-on-supabase-auth", MoveFinding.WARNING, "trigger " + rs.getString(1) + " on auth.users",
                            "fires when Supabase Auth signs a user up, which stays with Supabase: the trigger does not move, its function does;"
                                    + " call that function where the app signs users up"));
                }
            }
        }
        return out;
    }

    private static boolean exists(Connection c, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
