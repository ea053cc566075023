package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.data.postgres.ScratchDatabase;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Migrations with every deploy, through `slipway up`: the deploy workflow's ApplyMigrations state between a READY
 * release and its promotion, run by the local Step Functions engine against a real Postgres.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationsEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().retryIntervalScale(0.05).build();
    private static final AdminApi api = slipway.api();
    private static final EdgeClient sites = slipway.edge();
    private static final String PLAIN = "no-db";
    private static final String APP = "notes";
    private static final String ROLE = "notes_app";
    private static final String PASSWORD = "pw-notes-never-shown-0815";
    private static final String INIT = "supabase/migrations/20240101000000_init.sql";
    private static final String SEED = "supabase/migrations/20240102000000_seed.sql";
    private static final String TAGS = "supabase/migrations/20240103000000_tags.sql";
    private static final String BROKEN = "supabase/migrations/20240104000000_broken.sql";
    private static final Map<String, String> MIGRATIONS = new LinkedHashMap<>();
    private static ScratchDatabase database;
    private static String releaseWithTags;

    @BeforeAll
    static void apps() throws Exception {
        create(PLAIN);
        create(APP);
        // the "builder-hosted" database: the runtime's own Postgres, a role of the app's that owns its database
        database = slipway.runtime().postgres().server().createDatabase("notes");
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("ALTER DATABASE \"" + database.name() + "\" OWNER TO " + ROLE);
        }
        int port = slipway.runtime().postgres().server().port();
        String url = "postgres://" + ROLE + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database.name() + "?sslmode=disable";
        HttpResponse<String> linked = api.json("PUT", "/apps/" + APP + "/database", "{\"url\":\"" + url + "\",\"kind\":\"supabase\"}");
        assertEquals(200, linked.statusCode(), linked.body());
        MIGRATIONS.put(INIT, "create table notes (id bigserial primary key, body text not null);\n");
        MIGRATIONS.put(SEED, "insert into notes (body) values ('first'), ('zweite'), ('третья');\n");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (database != null) {
            database.close();
            try (Connection c = slipway.runtime().postgres().server().connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + ROLE);
            }
        }
    }

    @Test
    @Order(1)
    void anAppWithoutADatabasePassesTheStepAtOnce() throws Exception {
        importApp(PLAIN, app("plain", Map.of("supabase/migrations/20240101000000_init.sql", "create table notes (id int);")));
        JsonNode d = deployAndWait(PLAIN);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        JsonNode step = step(d, "ApplyMigrations");
        assertEquals("skipped: production has no database", step.path("outcome").asText(), d.toString());
        assertTrue(d.path("migrations").isMissingNode(), d.toString());
    }

    @Test
    @Order(2)
    void migrationsAreAppliedInOrderBeforePromotionAndRecorded() throws Exception {
        importApp(APP, app("v1", MIGRATIONS));
        JsonNode d = deployAndWait(APP);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertEquals("supabase", d.at("/migrations/kind").asText(), d.toString());
        assertEquals(List.of("20240101000000_init.sql", "20240102000000_seed.sql"), names(d.at("/migrations/applied")));
        assertEquals(0, d.at("/migrations/alreadyApplied").asInt());
        assertTrue(step(d, "ApplyMigrations").path("outcome").asText().startsWith("applied 2 supabase migrations"), d.toString());
        // the step ran after the release was READY and before production moved
        List<String> order = names(d.path("steps"), "name");
        assertTrue(order.indexOf("VerifyRelease") < order.indexOf("ApplyMigrations")
                && order.indexOf("ApplyMigrations") < order.indexOf("PromoteRelease"), order.toString());
        assertEquals(3, count("select count(*) from notes"));
        assertEquals(2, count("select count(*) from slipway.schema_history where deployment = '" + d.path("deploymentId").asText() + "'"));
        assertTrue(sites.site(APP, "/").text().contains("v1"));
    }

    @Test
    @Order(3)
    void aSecondDeployAppliesOnlyTheNewMigration() throws Exception {
        MIGRATIONS.put(TAGS, "alter table notes add column tags text[] not null default '{}';\n");
        importApp(APP, app("v2", MIGRATIONS));
        JsonNode d = deployAndWait(APP);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        releaseWithTags = d.path("releaseId").asText();
        assertEquals(List.of("20240103000000_tags.sql"), names(d.at("/migrations/applied")));
        assertEquals(2, d.at("/migrations/alreadyApplied").asInt());
        assertEquals(3, count("select count(*) from notes"), "the seed did not run again");
        assertEquals(3, count("select count(*) from slipway.schema_history"));
    }

    @Test
    @Order(4)
    void aChangedAppliedMigrationFailsTheDeploymentNamingItAndProductionKeepsServing() throws Exception {
        Map<String, String> edited = new LinkedHashMap<>(MIGRATIONS);
        edited.put(INIT, MIGRATIONS.get(INIT) + "create index notes_body on notes (body);\n");
        importApp(APP, app("v3-edited", edited));
        JsonNode d = deployAndWait(APP);
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertTrue(d.path("failure").asText().contains("migration " + INIT + " was changed after it was applied"), d.toString());
        assertTrue(step(d, "ApplyMigrations").path("outcome").asText().startsWith("failed"), d.toString());
        assertEquals(null, stepOrNull(d, "PromoteRelease"), "never promoted: " + d);
        assertProductionUnchanged();
        assertEquals(0, count("select count(*) from pg_indexes where indexname = 'notes_body'"));
    }

    @Test
    @Order(5)
    void aFailingMigrationLeavesProductionAndTheDatabaseUntouched() throws Exception {
        Map<String, String> broken = new LinkedHashMap<>(MIGRATIONS);
        broken.put(BROKEN, "insert into notes (body) values ('half a migration');\nalter table no_such_table add column x int;\n");
        importApp(APP, app("v4-broken", broken));
        JsonNode d = deployAndWait(APP);
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        String failure = d.path("failure").asText();
        assertTrue(failure.contains("migration " + BROKEN + " failed") && failure.contains("no_such_table")
                && failure.contains("rolled back"), failure);
        assertProductionUnchanged();
        // its transaction was rolled back: no row of it, no history row
        assertEquals(0, count("select count(*) from notes where body = 'half a migration'"));
        assertEquals(3, count("select count(*) from slipway.schema_history"));
        String audit = api.json("GET", "/apps/" + APP + "/audit", null).body();
        assertTrue(audit.contains("deployment.failed"), audit);
    }

    private static void assertProductionUnchanged() throws Exception {
        JsonNode app = Json.parse(api.json("GET", "/apps/" + APP, null).body());
        assertEquals(releaseWithTags, app.path("production").path("releaseId").asText(), app.toString());
        assertTrue(sites.site(APP, "/").text().contains("v2"), "production still serves v2");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- helpers

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    static JsonNode stepOrNull(JsonNode deployment, String name) {
        for (JsonNode s : deployment.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** A dependency-free app (npm ci of an empty lockfile; its build writes dist/index.html) with {@code extra} files. */
    static Map<String, String> app(String headline, Map<String, String> extra) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("package.json", "{\"name\":\"notes\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}\n");
        files.put("package-lock.json", "{\"name\":\"notes\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,"
                + "\"packages\":{\"\":{\"name\":\"notes\",\"version\":\"1.0.0\"}}}\n");
        files.put("build.js", """
                const fs = require('fs');
                fs.mkdirSync('dist', { recursive: true });
                fs.writeFileSync('dist/index.html', '<!doctype html><title>Notes</title><h1>%s</h1>\\n');
                """.formatted(headline));
        files.putAll(extra);
        return files;
    }

    static void create(String app) throws Exception {
        create(api, app);
    }

    static void create(AdminApi api, String app) throws Exception {
        HttpResponse<String> created = api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}");
        assertEquals(201, created.statusCode(), created.body());
    }

    static void importApp(String app, Map<String, String> files) throws Exception {
        importApp(api, app, files);
    }

    static void importApp(AdminApi api, String app, Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + app + "/imports", Exports.zip(app + "-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    static JsonNode deployAndWait(String app) throws Exception {
        return deployAndWait(api, sites, app);
    }

    static JsonNode deployAndWait(AdminApi api, EdgeClient sites, String app) throws Exception {
        HttpResponse<String> started = api.json("POST", "/apps/" + app + "/deployments", "{}");
        assertEquals(202, started.statusCode(), started.body());
        JsonNode d = api.awaitDeployment(app, Json.parse(started.body()).path("deploymentId").asText());
        sites.awaitPromoted(d);
        return d;
    }

    static JsonNode step(JsonNode deployment, String name) {
        for (JsonNode s : deployment.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + deployment);
    }
}
