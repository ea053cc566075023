package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.servers.NodePostgresClient;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.copy.SupabaseStandIn;
import dev.slipway.shared.data.link.DatabaseSecrets;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.slipway.local.data.MigrationsEndToEndTest.create;
import static dev.slipway.local.data.MigrationsEndToEndTest.deployAndWait;
import static dev.slipway.local.data.MigrationsEndToEndTest.importApp;
import static dev.slipway.local.data.MigrationsEndToEndTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preview databases through `slipway up` (docs/data.md#preview-databases): an app opts in; two previews of one commit
 * (one release) each get a database of their own on the linked database's server, migrated and seeded once, and their
 * servers each see only their own DATABASE_URL (a fixture server that asks Postgres which database it is in);
 * production's server and database are untouched; mode backup copies the latest verified backup; a deleted preview's
 * database is dropped. App servers run sandboxed: each reaches its database on the runtime's Postgres through its
 * tunnel, as the role its URL names, with its password.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewDatabasesEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().retryIntervalScale(0.05).build();
    private static final AdminApi api = slipway.api();
    private static final EdgeClient sites = slipway.edge();
    private static final String APP = "pvnotes";
    private static final String ROLE = "pvnotes_app";
    private static final Map<String, String> FILES = new LinkedHashMap<>();
    private static ScratchDatabase production;
    private static String release;

    @BeforeAll
    static void linkedApp() throws Exception {
        create(api, APP);
        PostgresServer server = slipway.runtime().postgres().server();
        production = server.createDatabase("pvprod");
        try (Connection c = production.connect(); Statement s = c.createStatement()) {
            // the link's user may create databases: where previews' own go
            // (and roles: a Supabase app's preview database gets the stand-in's roles, as Supabase's postgres user could)
            s.execute("CREATE ROLE " + ROLE + " LOGIN CREATEDB CREATEROLE PASSWORD 'pw-pvnotes-0815'");
            s.execute("ALTER DATABASE \"" + production.name() + "\" OWNER TO " + ROLE);
        }
        // production stands in for the builder's Supabase database, which has auth.* already (the app's user may use it)
        try (Connection c = new PostgresServer("127.0.0.1", server.port(), ROLE, "pw-pvnotes-0815", "disable").connect(production.name())) {
            c.setAutoCommit(false);
            SupabaseStandIn.install(c);
            c.commit();
        }
        String url = "postgres://" + ROLE + ":pw-pvnotes-0815@127.0.0.1:" + server.port() + "/" + production.name() + "?sslmode=disable";
        HttpResponse<String> linked = api.json("PUT", "/apps/" + APP + "/database", "{\"url\":\"" + url + "\",\"kind\":\"supabase\"}");
        assertEquals(200, linked.statusCode(), linked.body());
        // production's server reads its database from DATABASE_URL, a production-only value the owner set
        HttpResponse<String> env = api.json("PATCH", "/apps/" + APP + "/environment",
                "{\"set\":{\"DATABASE_URL\":{\"value\":\"" + url + "\",\"scopes\":[\"production\"]}}}");
        assertEquals(200, env.statusCode(), env.body());
        FILES.putAll(serverApp());
        // a Supabase app's migration: its policy calls auth.uid(), which a plain Postgres database gets from the stand-in
        FILES.put("supabase/migrations/20240101000000_init.sql", "create table notes (id bigserial primary key, body text not null);\n"
                + "alter table notes enable row level security;\n"
                + "create policy own_notes on notes for select to authenticated using (auth.uid() is not null);\n");
        FILES.put("supabase/seed.sql", "insert into notes (body) values ('seeded');\n");
        importApp(api, APP, FILES);
    }

    @AfterAll
    static void dropDatabases() throws Exception {
        if (production != null) {
            try (Connection c = slipway.runtime().postgres().server().connect("postgres"); Statement s = c.createStatement()) {
                for (String name : databases(production.name())) {
                    s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
                }
                s.execute("DROP ROLE IF EXISTS " + ROLE);
            }
        }
    }

    @Test
    @Order(1)
    void thePolicyIsNoneUntilTheOwnerOptsInAndBadInputIsAProblem() throws Exception {
        JsonNode none = Json.parse(api.json("GET", "/apps/" + APP + "/database/preview-policy", null).body());
        assertEquals("none", none.path("mode").asText(), none.toString());
        assertEquals("linked", none.path("server").asText(), none.toString());
        HttpResponse<String> bad = api.json("PUT", "/apps/" + APP + "/database/preview-policy", "{\"mode\":\"copy\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), bad.body());
        assertTrue(bad.body().contains("/mode"), bad.body());
        assertEquals(400, api.json("PUT", "/apps/" + APP + "/database/preview-policy", "{\"mode\":\"none\",\"x\":1}").statusCode());

        // production first: its database gets the migrations (never the seed), and a row of its own
        JsonNode prod = deployAndWait(api, sites, APP);
        assertEquals("SUCCEEDED", prod.path("status").asText(), prod.toString());
        sql(production.name(), "insert into notes (body) values ('production row')");

        HttpResponse<String> set = api.send(api.request("PUT", "/apps/" + APP + "/database/preview-policy",
                "{\"mode\":\"migrations\"}".getBytes(), "application/json").header("idempotency-key", "pv-policy-1").build());
        assertEquals(200, set.statusCode(), set.body());
        assertEquals("migrations", Json.parse(set.body()).path("mode").asText());
        String audit = api.json("GET", "/apps/" + APP + "/audit", null).body();
        assertTrue(audit.contains("database.preview-policy.changed"), audit);
    }

    @Test
    @Order(2)
    void twoPreviewsOfOneCommitEachGetTheirOwnDatabaseAndSeeOnlyTheirOwnUrl() throws Exception {
        JsonNode one = preview("one");
        JsonNode two = preview("two");
        assertEquals("SUCCEEDED", one.path("status").asText(), one.toString());
        assertEquals("SUCCEEDED", two.path("status").asText(), two.toString());
        release = one.path("releaseId").asText();
        assertEquals(release, two.path("releaseId").asText(), "the two previews of one commit share one release");
        String outcome = step(one, "ApplyMigrations").path("outcome").asText();
        assertTrue(outcome.contains("applied 1 supabase migration") && outcome.contains("created preview one's own database")
                && outcome.contains("seeded from supabase/seed.sql"), outcome);

        String dbOne = production.name() + "_pv_one";
        String dbTwo = production.name() + "_pv_two";
        assertEquals("seeded", sql(dbOne, "select string_agg(body, ',') from notes"));
        assertEquals("seeded", sql(dbTwo, "select string_agg(body, ',') from notes"));
        // each preview's server asks Postgres which database it is in: its own, and only its own
        assertEquals(dbOne + "|seeded", sites.site("one--" + APP, "/db").text());
        assertEquals(dbTwo + "|seeded", sites.site("two--" + APP, "/db").text());
        // production's server and database are as they were; the release's own host has the preview scope's values only
        assertEquals(production.name() + "|production row", sites.site(APP, "/db").text());
        assertEquals("no database", sites.site(release + "--" + APP, "/db").text());
        assertEquals("production row", sql(production.name(), "select string_agg(body, ',') from notes"));

        // a second deploy of the same preview migrates it, never seeds again
        JsonNode again = preview("one");
        assertEquals("SUCCEEDED", again.path("status").asText(), again.toString());
        assertTrue(step(again, "ApplyMigrations").path("outcome").asText().contains("seeded before"), again.toString());
        assertEquals("1", sql(dbOne, "select count(*) from notes"));
        assertEquals(dbOne + "|seeded", sites.site("one--" + APP, "/db").text());
        JsonNode view = Json.parse(api.json("GET", "/apps/" + APP + "/database/preview-policy", null).body());
        assertEquals(2, view.path("databases").size(), view.toString());
        assertFalse(view.toString().contains("pw-pvnotes"), "no credential in answers: " + view);
    }

    @Test
    @Order(3)
    void modeBackupRestoresTheNewestVerifiedBackup() throws Exception {
        assertEquals(200, api.json("PUT", "/apps/" + APP + "/database/preview-policy", "{\"mode\":\"backup\"}").statusCode());
        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/database/backups", "{}");
        assertEquals(202, started.statusCode(), started.body());
        String backupId = Json.parse(started.body()).path("backupId").asText();
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode backup = Json.object();
        while (System.nanoTime() < deadline && !backup.path("status").asText().matches("VERIFIED|FAILED")) {
            Thread.sleep(200);
            backup = Json.parse(api.json("GET", "/apps/" + APP + "/database/backups/" + backupId, null).body());
        }
        assertEquals("VERIFIED", backup.path("status").asText(), backup.toString());
        JsonNode three = preview("three");
        assertEquals("SUCCEEDED", three.path("status").asText(), three.toString());
        assertTrue(step(three, "ApplyMigrations").path("outcome").asText().contains("from backup " + backupId), three.toString());
        String dbThree = production.name() + "_pv_three";
        assertEquals("production row", sql(dbThree, "select string_agg(body, ',' order by id) from notes"));
        assertEquals(dbThree + "|production row", sites.site("three--" + APP, "/db").text());
    }

    @Test
    @Order(4)
    void deletingAPreviewDropsItsDatabaseAndValuesAndLeavesTheOthers() throws Exception {
        HttpResponse<String> deleted = api.json("DELETE", "/apps/" + APP + "/previews/one", null);
        assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, deleted.body());
        String dbOne = production.name() + "_pv_one";
        awaitDropped(dbOne);
        assertTrue(new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets")).previewValues(APP, "one").isEmpty());
        assertTrue(databases(production.name() + "_pv_two").contains(production.name() + "_pv_two"), "the other preview keeps its own");
        assertEquals(production.name() + "_pv_two|seeded", sites.site("two--" + APP, "/db").text());
        assertEquals(production.name() + "|production row", sites.site(APP, "/db").text());
        String audit = api.json("GET", "/apps/" + APP + "/audit", null).body();
        assertTrue(audit.contains("database.preview.created") && audit.contains("database.preview.dropped"), audit);
        // a sweep finds nothing more to drop (the data schedule's run is the backstop after a kill)
        JsonNode run = slipway.runtime().schedules().run("DataSchedule");
        assertEquals(0, run.path("previewDatabasesDropped").asInt(-1), run.toString());
    }

    @Test
    @Order(5)
    void anExpiredPreviewsDatabaseGoesWithItsCleanup() throws Exception {
        String dbThree = production.name() + "_pv_three";
        assertEquals(200, api.json("PATCH", "/apps/" + APP + "/previews/three", "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}").statusCode());
        HttpResponse<String> cleanup = api.json("POST", "/cleanup", null);
        assertEquals(200, cleanup.statusCode(), cleanup.body());
        awaitDropped(dbThree);
        assertEquals(404, sites.site("three--" + APP, "/db").status());
        assertEquals(production.name() + "|production row", sites.site(APP, "/db").text());
    }

    @Test
    @Order(6)
    void whatAKilledRunLeftOfARemovedPreviewIsDroppedByTheDataSchedule() throws Exception {
        // as a step killed after the record and the database, for a preview removed before its teardown ran
        String ghost = production.name() + "_pv_ghost";
        int port = slipway.runtime().postgres().server().port();
        String url = "postgres://" + ROLE + ":pw-pvnotes-0815@127.0.0.1:" + port + "/" + ghost + "?sslmode=disable";
        DatabaseSecrets.local(slipway.dataDir().resolve("database-secrets")).put(APP, "preview-database-ghost", url);
        DataRecords records = new DataRecords(slipway.enhanced(), slipway.tableName("DataTable"),
                new AuditLedger(slipway.enhanced(), slipway.tableName("AuditTable")));
        records.put(APP, "preview-database#ghost", (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse("{\"preview\":\"ghost\","
                + "\"mode\":\"migrations\",\"database\":\"" + ghost + "\",\"maintenance\":\"" + production.name() + "\","
                + "\"status\":\"CREATING\",\"claim\":\"killed\",\"claimedAt\":\"2026-01-01T00:00:00Z\"}"), 0, null, null);
        try (Connection c = slipway.runtime().postgres().server().connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + ghost + "\" OWNER " + ROLE);
        }
        JsonNode run = slipway.runtime().schedules().run("DataSchedule");
        assertEquals(1, run.path("previewDatabasesDropped").asInt(-1), run.toString());
        assertFalse(databases(ghost).contains(ghost));
        assertTrue(records.get(APP, "preview-database#ghost").isEmpty());
        assertEquals(0, slipway.runtime().schedules().run("DataSchedule").path("previewDatabasesDropped").asInt(-1), "dropped once");
        assertTrue(databases(production.name() + "_pv_two").contains(production.name() + "_pv_two"), "a live preview's stays");
    }

    @Test
    @Order(7)
    void aLinkUserThatMayNotCreateDatabasesFailsThePreviewDeploySayingWhy() throws Exception {
        String app = "pvnocreate";
        create(api, app);
        PostgresServer server = slipway.runtime().postgres().server();
        try (ScratchDatabase db = server.createDatabase("pvnocreate")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE pvnocreate_app LOGIN PASSWORD 'pw-nocreate-0815'");
                s.execute("ALTER DATABASE \"" + db.name() + "\" OWNER TO pvnocreate_app");
            }
            String url = "postgres://pvnocreate_app:pw-nocreate-0815@127.0.0.1:" + server.port() + "/" + db.name() + "?sslmode=disable";
            assertEquals(200, api.json("PUT", "/apps/" + app + "/database", "{\"url\":\"" + url + "\",\"kind\":\"postgres\"}").statusCode());
            plainAppWithPreviewDatabases(app);
            JsonNode d = preview(app, "one");
            assertEquals("FAILED", d.path("status").asText(), d.toString());
            String failure = d.path("failure").asText();
            assertTrue(failure.contains("may not create databases") && failure.contains("CREATEDB"), failure);
            assertFalse(failure.contains("pw-nocreate"), "no password in the failure: " + failure);
            // mode backup copies the linked database's backups: an app without a link is refused
            create(api, "pvnolink");
            HttpResponse<String> unlinked = api.json("PUT", "/apps/pvnolink/database/preview-policy", "{\"mode\":\"backup\"}");
            assertEquals(404, unlinked.statusCode(), unlinked.body());
            assertTrue(unlinked.body().contains("database-not-linked"), unlinked.body());
        } finally {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS pvnocreate_app");
            } catch (SQLException e) {
                // owned objects left: the runtime's Postgres goes with the test's folder
            }
        }
    }

    @Test
    @Order(8)
    void anUnlinkedAppsPreviewDatabaseIsItsOwnRolesReachedThroughTheTunnelAndDroppedWithIt() throws Exception {
        String app = "pvscratch";
        create(api, app);
        plainAppWithPreviewDatabases(app);
        JsonNode d = preview(app, "one");
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        String db = "slipway_pvscratch_pv_one";
        String url = new LocalEncryptedAppEnvironment(slipway.dataDir().resolve("secrets")).previewValues(app, "one").get("DATABASE_URL");
        assertTrue(url.startsWith("postgres://" + db + ":"), "its own role, never the server's superuser");
        // the sandboxed server, through its tunnel as the role, reads what the migrations (run as Slipway's user) made
        assertEquals(db + "|seeded", sites.site("one--" + app, "/db").text());
        assertEquals("f", sql(db, "select has_database_privilege('public', '" + db + "', 'CONNECT')::text").substring(0, 1),
                "no other role may connect to it");
        HttpResponse<String> deleted = api.json("DELETE", "/apps/" + app + "/previews/one", null);
        assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, deleted.body());
        awaitDropped(db);
        long roleGone = System.nanoTime() + 10_000_000_000L;
        while (!"0".equals(sql("postgres", "select count(*)::text from pg_roles where rolname = '" + db + "'")) && System.nanoTime() < roleGone) {
            Thread.sleep(50);
        }
        assertEquals("0", sql("postgres", "select count(*)::text from pg_roles where rolname = '" + db + "'"), "the role goes with its database");
    }

    // ---- helpers

    private static void awaitDropped(String database) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && databases(database).contains(database)) {
            Thread.sleep(100);
        }
        assertFalse(databases(database).contains(database), database + " is dropped");
    }

    /** The notes app with a plain migration (no Supabase policies), preview-policy migrations. */
    private static void plainAppWithPreviewDatabases(String app) throws Exception {
        assertEquals(200, api.json("PUT", "/apps/" + app + "/database/preview-policy", "{\"mode\":\"migrations\"}").statusCode());
        Map<String, String> files = new LinkedHashMap<>(FILES);
        files.put("supabase/migrations/20240101000000_init.sql", "create table notes (id bigserial primary key, body text not null);\n");
        importApp(api, app, files);
    }

    private static JsonNode preview(String name) throws Exception {
        return preview(APP, name);
    }

    private static JsonNode preview(String app, String name) throws Exception {
        HttpResponse<String> r = api.json("POST", "/apps/" + app + "/previews", "{\"ref\":\"main\",\"name\":\"" + name + "\"}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode d = api.awaitDeployment(app, Json.parse(r.body()).path("deployment").path("deploymentId").asText());
        // the edge entry is written right after the alias moved: wait for the preview's host to serve the release
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (d.path("status").asText().equals("SUCCEEDED") && sites.site(name + "--" + app, "/").status() == 404
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return d;
    }

    private static String sql(String database, String query) throws SQLException {
        try (Connection c = slipway.runtime().postgres().server().connect(database); Statement s = c.createStatement()) {
            if (!query.startsWith("select")) {
                s.execute(query);
                return null;
            }
            try (ResultSet rs = s.executeQuery(query)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static java.util.List<String> databases(String prefix) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = slipway.runtime().postgres().server().connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select datname from pg_database where datname like '" + prefix + "%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * A dependency-free Node server (its start script runs server.js): {@code /db} asks the database its DATABASE_URL names,
     * over Postgres's wire protocol (SCRAM: the role's password), which database it is in and its notes.
     */
    static Map<String, String> serverApp() {
        Map<String, String> files = new LinkedHashMap<>(MigrationsEndToEndTest.app("notes", Map.of()));
        files.put("package.json", "{\"name\":\"notes\",\"version\":\"1.0.0\",\"private\":true,"
                + "\"scripts\":{\"build\":\"node build.js\",\"start\":\"node server.js\"}}\n");
        files.put("server.js", NodePostgresClient.SOURCE + """
                http.createServer(async (req, res) => {
                  if (req.url !== '/db') {
                    res.writeHead(200, { 'content-type': 'text/html' });
                    res.end('<h1>notes</h1>');
                    return;
                  }
                  if (!process.env.DATABASE_URL) {
                    res.end('no database');
                    return;
                  }
                  try {
                    const rows = await query(process.env.DATABASE_URL,
                      "select current_database(), (select string_agg(body, ',' order by id) from notes)");
                    res.end(rows[0].join('|'));
                  } catch (e) {
                    res.writeHead(500);
                    res.end(String(e.message));
                  }
                }).listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
                """);
        return files;
    }
}
