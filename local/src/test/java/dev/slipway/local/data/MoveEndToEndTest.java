package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.move.SupabaseShapedSource;
import dev.slipway.shared.data.move.TableChecksums;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.ScratchDatabase;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The move through `slipway up`: a Supabase-shaped source (written here) with several tables of many types moves to an
 * empty database the owner runs (the runtime's own Postgres stands in for both), verified by counts and checksums,
 * with what cannot move as findings, and the source untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoveEndToEndTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().scheduleInterval(Duration.ZERO).build();
    private static final AdminApi api = slipway.api();
    private static final String APP = "mover";
    private static final String ROLE = "mover_app";
    private static final String PASSWORD = "pw-mover-never-shown-1234";
    private static final List<ScratchDatabase> databases = new ArrayList<>();
    private static ScratchDatabase source;

    @BeforeAll
    static void sourceLinked() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Mover\"}").statusCode());
        try (Connection c = server().connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD + "'");
        }
        source = database("source");
        try (Connection c = source.connect(); Statement s = c.createStatement()) {
            SupabaseShapedSource.create(c);
            s.execute("""
                    create table public.orders (id bigint primary key, customer text, total numeric(12,2), placed timestamptz,
                      items jsonb, tags text[], receipt bytea, note text);
                    insert into public.orders
                      select i, 'kunde-' || i || ' ☕', i * 1.25, timestamptz '2024-01-01' + i * interval '1 minute',
                             jsonb_build_object('n', i, 'skus', jsonb_build_array('a', 'b')), array['x', 'y' || i],
                             decode(md5(i::text), 'hex'), case when i % 7 = 0 then null else 'ok' end
                      from generate_series(1, 20000) i;
                    create table public.order_lines (order_id bigint references public.orders (id), line int, sku text,
                      primary key (order_id, line));
                    insert into public.order_lines select i, 1, 'sku-' || (i % 97) from generate_series(1, 20000) i;
                    create index order_lines_sku on public.order_lines (sku);
                    """);
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA public, auth, storage TO " + ROLE);
            s.execute("GRANT USAGE ON SCHEMA auth, storage TO " + ROLE);
        }
        HttpResponse<String> linked = api.json("PUT", "/apps/" + APP + "/database", "{\"url\":\"" + url(source) + "\",\"kind\":\"supabase\"}");
        assertEquals(200, linked.statusCode(), linked.body());
        // main has a commit (with an edge function): the switch redeploys it
        HttpResponse<String> imported = api.send("POST", "/apps/" + APP + "/imports", Exports.zip(APP + "-main/",
                MigrationsEndToEndTest.app("moved", Map.of("supabase/functions/send-email/index.ts", "Deno.serve(() => new Response('ok'));\n"))),
                "application/zip");
        assertTrue(imported.statusCode() == 201 || imported.statusCode() == 200, imported.body());
    }

    @AfterAll
    static void drop() throws Exception {
        for (ScratchDatabase d : databases) {
            d.close();
        }
        try (Connection c = server().connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS app_mover WITH (FORCE)");
            s.execute("DROP ROLE IF EXISTS app_mover");
            s.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    @Test
    @Order(2)
    void aMultiTableDatabaseMovesVerifiedWithFindingsAndTheSourceUntouched() throws Exception {
        Map<String, TableChecksums.Table> sourceBefore = checksums(source);
        ScratchDatabase target = database("target");

        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/database/move", "{\"targetUrl\":\"" + url(target) + "\"}");
        assertEquals(202, started.statusCode(), started.body());
        assertFalse(started.body().contains(PASSWORD), "the target's password is never answered");
        JsonNode move = await(Json.parse(started.body()).path("moveId").asText());

        assertEquals("SUCCEEDED", move.path("status").asText(), move.toString());
        assertTrue(move.path("verified").asBoolean(), move.toString());
        assertEquals(40001, move.path("rows").asLong(), move.toString()); // orders, order_lines, profiles
        for (JsonNode check : move.path("checks")) {
            assertTrue(check.path("equal").asBoolean(), check.toString());
            assertEquals(check.path("sourceRows").asLong(), check.path("targetRows").asLong(), check.toString());
        }
        List<String> rules = new ArrayList<>();
        move.path("findings").forEach(f -> rules.add(f.path("rule").asText()));
        for (String rule : List.of("supabase-auth", "supabase-storage", "supabase-edge-functions", "policy-uses-supabase-auth",
                "foreign-key-to-supabase-auth", "not-created")) {
            assertTrue(rules.contains(rule), rule + " in " + move.path("findings"));
        }
        assertFalse(move.toString().contains(PASSWORD));

        // the target holds the app's tables and their rows, not Supabase's
        assertEquals(sourceBefore.get("\"public\".\"orders\""), checksums(target).get("\"public\".\"orders\""));
        assertEquals(20000, count(target, "select count(*) from public.order_lines"));
        // auth holds no table, only the stand-in auth.uid() the policy calls (finding supabase-auth-functions)
        assertEquals(0, count(target, "select count(*) from pg_class where relnamespace = 'auth'::regnamespace"));
        assertEquals(1, count(target, "select count(*) from pg_policy where polname = 'own profile'"));
        assertTrue(rules.contains("supabase-auth-functions"), move.path("findings").toString());
        // the source is as it was
        assertEquals(sourceBefore, checksums(source));

        String audit = api.json("GET", "/apps/" + APP + "/audit", null).body();
        assertTrue(audit.contains("database.move.started") && audit.contains("database.move.succeeded"), audit);
        assertFalse(audit.contains(PASSWORD));

        // The switch, a step of its own: the link and the app's variable point at the target, and main is deployed.
        HttpResponse<String> switched = api.json("POST", "/apps/" + APP + "/database/switch",
                "{\"moveId\":\"" + move.path("moveId").asText() + "\",\"variable\":\"DATABASE_URL\"}");
        assertEquals(200, switched.statusCode(), switched.body());
        assertFalse(switched.body().contains(PASSWORD));
        JsonNode sw = Json.parse(switched.body());
        assertEquals(target.name(), sw.at("/database/database").asText(), sw.toString());
        JsonNode deployed = api.awaitDeployment(APP, sw.path("deploymentId").asText());
        assertEquals("SUCCEEDED", deployed.path("status").asText(), deployed.toString());
        JsonNode link = Json.parse(api.json("GET", "/apps/" + APP + "/database", null).body());
        assertEquals(target.name(), link.path("database").asText(), link.toString());
        String env = api.json("GET", "/apps/" + APP + "/environment", null).body();
        assertTrue(env.contains("DATABASE_URL") && !env.contains(PASSWORD), env);
        String after = api.json("GET", "/apps/" + APP + "/audit", null).body();
        assertTrue(after.contains("database.move.switched") && after.contains("database.relinked"), after);
        // once: the move's copy of the URL is gone
        HttpResponse<String> again = api.json("POST", "/apps/" + APP + "/database/switch", "{\"moveId\":\"" + move.path("moveId").asText() + "\"}");
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("urn:slipway:problem:move-not-verified", Json.parse(again.body()).path("type").asText());
    }

    /**
     * {"target":"stack"}: the stack's database (here the runtime's Postgres, in AWS the Aurora cluster) gets a database and a
     * role of the app's own, made by the move's job; the copy is verified, and the switch points the app at it.
     */
    @Test
    @Order(4)
    void theAppMovesToADatabaseOfItsOwnOnTheStacksDatabase() throws Exception {
        // the link is the first move's target now (switched to in @Order(2)): that is the source here
        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/database/move", "{\"target\":\"stack\"}");
        assertEquals(202, started.statusCode(), started.body());
        assertTrue(Json.parse(started.body()).path("target").asText().endsWith("/app_mover"), started.body());
        JsonNode move = await(Json.parse(started.body()).path("moveId").asText());
        assertEquals("SUCCEEDED", move.path("status").asText(), move.toString());
        assertEquals("stack", move.path("targetKind").asText());
        assertEquals(40001, move.path("rows").asLong(), move.toString());

        HttpResponse<String> switched = api.json("POST", "/apps/" + APP + "/database/switch", "{\"moveId\":\"" + move.path("moveId").asText() + "\"}");
        assertEquals(200, switched.statusCode(), switched.body());
        JsonNode sw = Json.parse(switched.body());
        assertEquals("app_mover", sw.at("/database/database").asText(), sw.toString());
        assertEquals("app_mover", sw.at("/database/user").asText(), "the app's own role, not the server's superuser: " + sw);
        assertEquals("SUCCEEDED", api.awaitDeployment(APP, sw.path("deploymentId").asText()).path("status").asText());
        try (Connection c = server().connect("app_mover"); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "select count(*), (select tableowner from pg_tables where tablename = 'orders') from public.order_lines")) {
            assertTrue(r.next());
            assertEquals(20000, r.getLong(1));
            assertEquals("app_mover", r.getString(2), "the app's role owns what was moved");
        }
        // another app's role (the source's) may not even connect to it
        org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> new PostgresServer("127.0.0.1", server().port(),
                ROLE, PASSWORD, "disable").connect("app_mover").close());
        // a second move to the stack: the linked database is the app's database there already
        HttpResponse<String> again = api.json("POST", "/apps/" + APP + "/database/move", "{\"target\":\"stack\"}");
        assertEquals(400, again.statusCode(), again.body());
        assertEquals("urn:slipway:problem:move-target-is-source", Json.parse(again.body()).path("type").asText());
    }

    @Test
    @Order(3)
    void aMoveStepRunAgainAfterItsCommitChecksTheTargetAgainInsteadOfFailing() throws Throwable {
        // after the switch the link is the first move's target: move on from it to another database
        ScratchDatabase next = database("next");
        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/database/move", "{\"targetUrl\":\"" + url(next) + "\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).path("moveId").asText();
        JsonNode first = await(id);
        assertEquals("SUCCEEDED", first.path("status").asText(), first.toString());

        // the step's end was lost after its commit (the record still RUNNING); the workflow runs the step again
        Config config = Config.of(slipway.runtime().functions().environment("DataStepsFunction"));
        try (AwsClients aws = new AwsClients(config)) {
            DataRecords records = new DataRecords(aws.dynamoDbEnhanced(), config.require(EnvNames.DATA_TABLE),
                    new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE)));
            DataRecords.Stored stored = records.get(APP, "move#" + id).orElseThrow();
            ObjectNode running = stored.body().deepCopy();
            running.put("status", "RUNNING");
            records.put(APP, "move#" + id, running, stored.version(), null, null);
        }
        slipway.runtime().functions().invoke("DataStepsFunction", Map.of("step", "Move", "appId", APP, "moveId", id));
        JsonNode again = Json.parse(api.json("GET", "/apps/" + APP + "/database/moves/" + id, null).body());
        assertEquals("SUCCEEDED", again.path("status").asText(), again.toString());
        assertTrue(again.path("rechecked").asBoolean() && again.path("verified").asBoolean(), again.toString());
        assertEquals(first.path("rows").asLong(), again.path("rows").asLong());
    }

    @Test
    @Order(1)
    void badTargetsAreRefusedAndNothingIsStarted() throws Exception {
        ScratchDatabase full = database("full");
        try (Connection c = full.connect(); Statement s = c.createStatement()) {
            s.execute("create table keep_me (id int)");
        }
        Object[][] cases = {
                {url(source), 400, "move-target-is-source"},
                {url(full), 409, "move-target-not-empty"},
                {"postgres://u:p@10.1.2.3:5432/db", 400, "database-host-not-public"},
                {"https://example.com/db", 400, "database-url-invalid"},
        };
        for (Object[] c : cases) {
            HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/database/move", "{\"targetUrl\":\"" + c[0] + "\"}");
            assertEquals(c[1], r.statusCode(), r.body());
            assertEquals("urn:slipway:problem:" + c[2], Json.parse(r.body()).path("type").asText(), r.body());
        }
        assertEquals(400, api.json("POST", "/apps/" + APP + "/database/move", "{\"target\":\"x\"}").statusCode());
        assertEquals(400, api.json("POST", "/apps/" + APP + "/database/move", "{\"target\":\"stack\",\"targetUrl\":\"" + url(source) + "\"}").statusCode());
        assertEquals(404, api.json("GET", "/apps/" + APP + "/database/moves/01kawz3q9mqd1w6m0t0d5y2x8h", null).statusCode());
        assertEquals(1, count(full, "select count(*) from pg_tables where schemaname = 'public'"), "the full target was not touched");
    }

    // ---- helpers

    private static PostgresServer server() {
        return slipway.runtime().postgres().server();
    }

    private static ScratchDatabase database(String purpose) throws Exception {
        ScratchDatabase d = server().createDatabase(purpose);
        databases.add(d);
        try (Connection c = d.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE \"" + d.name() + "\" OWNER TO " + ROLE);
        }
        return d;
    }

    private static String url(ScratchDatabase d) {
        return "postgres://" + ROLE + ":" + PASSWORD + "@127.0.0.1:" + server().port() + "/" + d.name() + "?sslmode=disable";
    }

    private static JsonNode await(String moveId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode m = Json.parse(api.json("GET", "/apps/" + APP + "/database/moves/" + moveId, null).body());
            if (!"RUNNING".equals(m.path("status").asText()) || System.nanoTime() > deadline) {
                return m;
            }
            Thread.sleep(200);
        }
    }

    private static Map<String, TableChecksums.Table> checksums(ScratchDatabase d) throws Exception {
        try (Connection c = d.connect()) {
            return TableChecksums.of(c, TableChecksums.appTables(c));
        }
    }

    private static long count(ScratchDatabase d, String sql) throws Exception {
        try (Connection c = d.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
