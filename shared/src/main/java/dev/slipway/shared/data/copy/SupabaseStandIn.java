package dev.slipway.shared.data.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plain-Postgres stand-in for the Supabase platform objects that an app's own migrations reference, so that the
 * migrations of a Lovable or Bolt app (written against Supabase) apply to a database that is not on Supabase — a
 * preview's own database, or an owner's Postgres after a move:
 * <ul>
 * <li>the roles {@code anon}, {@code authenticated}, {@code service_role} ({@code NOLOGIN}: they only carry grants);</li>
 * <li>{@code auth.users} with the columns apps read in their triggers ({@code email}, {@code raw_user_meta_data} …),
 * and {@code auth.uid()/role()/jwt()/email()} that read the request's JWT claims as Supabase's do
 * ({@link SchemaPrerequisites#AUTH_FUNCTIONS});</li>
 * <li>{@code storage.buckets} and {@code storage.objects} with {@code storage.foldername()/filename()/extension()},
 * which bucket rows and storage policies use;</li>
 * <li>the {@code extensions} schema, and the publication {@code supabase_realtime} ({@code ALTER PUBLICATION … ADD TABLE}
 * is a common line in those migrations).</li>
 * </ul>
 * Written by us from what migrations use, not Supabase's own schema: it carries no sign-in, no file storage and no
 * realtime — only enough that the app's schema, policies and triggers exist and behave as on Supabase. Every statement
 * is idempotent, and nothing is made where the object already exists (a real Supabase database is left alone).
 */
public final class SupabaseStandIn {
    public static final List<String> ROLES = List.of("anon", "authenticated", "service_role");

    private SupabaseStandIn() {
    }

    /** Whether {@code c}'s database lacks the platform (no {@code auth.users}): a stand-in is needed. */
    public static boolean needed(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT to_regclass('auth.users') IS NULL")) {
            return r.next() && r.getBoolean(1);
        }
    }

    /** Makes the stand-in in {@code c}'s open transaction (roles are cluster-wide: made only when missing); answers what it made. */
    public static List<String> install(Connection c) throws SQLException {
        List<String> made = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (String role : ROLES) {
                try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                    if (r.next()) {
                        continue;
                    }
                }
                s.execute("CREATE ROLE " + role + " NOLOGIN");
                made.add("role " + role);
            }
            if (needed(c)) {
                for (String sql : AUTH) {
                    s.execute(sql);
                }
                for (Map.Entry<String, String> f : SchemaPrerequisites.AUTH_FUNCTIONS.entrySet()) {
                    s.execute("CREATE OR REPLACE FUNCTION auth." + f.getKey() + "() RETURNS " + f.getValue());
                }
                made.add("auth.users, auth.uid()/role()/jwt()/email()");
            }
            try (ResultSet r = s.executeQuery("SELECT to_regclass('storage.objects') IS NULL")) {
                r.next();
                if (r.getBoolean(1)) {
                    for (String sql : STORAGE) {
                        s.execute(sql);
                    }
                    made.add("storage.buckets, storage.objects");
                }
            }
            s.execute("CREATE SCHEMA IF NOT EXISTS extensions");
            s.execute("GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role");
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime'")) {
                if (!r.next()) {
                    s.execute("CREATE PUBLICATION supabase_realtime");
                    made.add("publication supabase_realtime");
                }
            }
            s.execute("GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role");
        }
        return made;
    }

    private static final List<String> AUTH = List.of(
            "CREATE SCHEMA IF NOT EXISTS auth",
            "GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role",
            """
            CREATE TABLE IF NOT EXISTS auth.users (
              id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
              aud varchar(255), role varchar(255), email varchar(255), phone text,
              encrypted_password varchar(255),
              email_confirmed_at timestamptz, phone_confirmed_at timestamptz, confirmed_at timestamptz,
              last_sign_in_at timestamptz,
              raw_app_meta_data jsonb DEFAULT '{}'::jsonb, raw_user_meta_data jsonb DEFAULT '{}'::jsonb,
              is_super_admin boolean, is_anonymous boolean NOT NULL DEFAULT false, is_sso_user boolean NOT NULL DEFAULT false,
              banned_until timestamptz, deleted_at timestamptz,
              created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now()
            )""",
            "COMMENT ON TABLE auth.users IS 'Slipway stand-in for Supabase Auth''s users: the columns app migrations read; no sign-in'",
            "GRANT SELECT ON auth.users TO service_role");

    private static final List<String> STORAGE = List.of(
            "CREATE SCHEMA IF NOT EXISTS storage",
            "GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role",
            """
            CREATE TABLE IF NOT EXISTS storage.buckets (
              id text PRIMARY KEY, name text NOT NULL UNIQUE, owner uuid, owner_id text,
              public boolean DEFAULT false, avif_autodetection boolean DEFAULT false,
              file_size_limit bigint, allowed_mime_types text[],
              created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now()
            )""",
            """
            CREATE TABLE IF NOT EXISTS storage.objects (
              id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
              bucket_id text REFERENCES storage.buckets (id), name text, owner uuid, owner_id text,
              metadata jsonb, user_metadata jsonb, version text,
              path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
              created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz DEFAULT now()
            )""",
            "ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY",
            "GRANT ALL ON storage.objects, storage.buckets TO anon, authenticated, service_role",
            """
            CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
              SELECT (string_to_array(name, '/'))[1:greatest(array_length(string_to_array(name, '/'), 1) - 1, 0)] $$""",
            """
            CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
              SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$""",
            """
            CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
              SELECT reverse(split_part(reverse(storage.filename(name)), '.', 1)) $$""");
}
