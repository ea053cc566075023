package dev.slipway.shared.data.move;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database shaped like a Supabase project's, written here (never copied from Supabase): an {@code auth} schema with
 * a users table and {@code auth.uid()}, a {@code storage.objects} table, and the app's {@code public} tables with
 * row-level security calling {@code auth.uid()} and a foreign key into {@code auth.users}.
 */
public final class SupabaseShapedSource {
    private SupabaseShapedSource() {
    }

    public static void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    create schema auth;
                    create table auth.users (id uuid primary key, email text unique, encrypted_password text);
                    create function auth.uid() returns uuid language sql stable as
                      $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
                    insert into auth.users values
                      ('11111111-1111-1111-1111-111111111111', 'ada@example.com', 'x'),
                      ('22222222-2222-2222-2222-222222222222', 'grace@example.com', 'y');
                    create schema storage;
                    create table storage.objects (id uuid primary key, bucket_id text, name text);
                    insert into storage.objects values ('33333333-3333-3333-3333-333333333333', 'avatars', 'ada.png');
                    create table public.profiles (id uuid primary key references auth.users (id), display_name text);
                    insert into public.profiles values ('11111111-1111-1111-1111-111111111111', 'Ada');
                    alter table public.profiles enable row level security;
                    create policy "own profile" on public.profiles for select using (auth.uid() = id);
                    create policy "anyone reads names" on public.profiles for select using (true);
                    """);
        }
    }
}
