package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.LocalSlipway;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database routes through `slipway up`, against the runtime's own on-demand Postgres as the
 * "builder-hosted" database: linking (checks, secrecy, audit), unlinking; a backup through the data
 * workflow to VERIFIED, its encrypted download, a restore into another database, the refusals.
 */
class DatabaseEndToEndTest {
    static final String PASSWORD = "pw-never-shown-4711";

    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().scheduleInterval(Duration.ZERO).build();

    static ScratchDatabase source;

    @BeforeAll
    static void appAndDatabase() throws Exception {
        assertEquals(201, slipway.api().json("POST", "/apps", "{\"id\":\"dbshop\",\"name\":\"DB Shop\"}").statusCode());
        source = slipway.runtime().postgres().server().createDatabase("source");
        try (Connection c = source.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE shop_app LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("GRANT ALL ON SCHEMA public TO shop_app");
            s.execute("CREATE TABLE public.products (id serial PRIMARY KEY, name text NOT NULL, price numeric, tags text[], meta jsonb)");
            s.execute("INSERT INTO products (name, price, tags, meta) SELECT 'product ' || g, g * 1.5, ARRAY['t' || (g % 7)],"
                    + " jsonb_build_object('n', g) FROM generate_series(1, 2000) g");
            // schema beyond the table, which backups carry and the verify checks (a restore over the linked database too)
            s.execute("CREATE FUNCTION public.name_trimmed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := btrim(NEW.name); RETURN NEW; END $$");
            s.execute("ALTER FUNCTION public.name_trimmed() OWNER TO shop_app");
            s.execute("CREATE TRIGGER products_trim BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION public.name_trimmed()");
            s.execute("ALTER TABLE products ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY priced ON products FOR SELECT USING (price IS NOT NULL)");
            s.execute("COMMENT ON TABLE products IS 'What the shop sells'");
            s.execute("ALTER TABLE products OWNER TO shop_app");
        }
    }

    @AfterAll
    static void dropSource() throws Exception {
        if (source != null) {
            source.close();
            try (Connection c = slipway.runtime().postgres().server().connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS shop_app");
            }
        }
    }

    static String url() {
        int port = slipway.runtime().postgres().server().port();
        return "postgres://shop_app:" + PASSWORD + "@127.0.0.1:" + port + "/" + source.name() + "?sslmode=disable";
    }

    static JsonNode await(String path) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode n = Json.parse(slipway.api().json("GET", path, null).body());
            if (!n.path("status").asText().equals("RUNNING")) {
                return n;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " still RUNNING after a minute");
    }

    static String problem(HttpResponse<String> r) {
        return Json.parse(r.body()).path("type").asText().replace("urn:slipway:problem:", "");
    }

    @Test
    void linkShowsWhereNeverTheSecretAndUnlinks() throws Exception {
        HttpResponse<String> linked = slipway.api().json("PUT", "/apps/dbshop/database",
                "{\"url\":\"" + url() + "\",\"kind\":\"supabase\"}");
        assertEquals(200, linked.statusCode(), linked.body());
        assertFalse(linked.body().contains(PASSWORD), linked.body());
        JsonNode view = Json.parse(slipway.api().json("GET", "/apps/dbshop/database", null).body());
        assertEquals("supabase", view.get("kind").asText());
        assertEquals("127.0.0.1", view.get("host").asText());
        assertEquals(source.name(), view.get("database").asText());
        assertEquals("shop_app", view.get("user").asText());
        assertTrue(view.get("lastCheck").get("ok").asBoolean(), view.toString());
        assertTrue(view.get("lastCheck").get("serverVersion").asText().startsWith("16"), view.toString());
        assertTrue(view.has("linkedAt"));
        assertFalse(view.toString().contains(PASSWORD));

        String audit = slipway.api().json("GET", "/apps/dbshop/audit", null).body();
        assertTrue(audit.contains("database.linked"), audit);
        assertFalse(audit.contains(PASSWORD), "the audit trail never holds the password");

        HttpResponse<String> gone = slipway.api().json("DELETE", "/apps/dbshop/database", null);
        assertEquals(200, gone.statusCode(), gone.body());
        HttpResponse<String> none = slipway.api().json("GET", "/apps/dbshop/database", null);
        assertEquals(404, none.statusCode());
        assertEquals("database-not-linked", problem(none));
        assertTrue(slipway.api().json("GET", "/apps/dbshop/audit", null).body().contains("database.unlinked"));
    }

    @Test
    void badUrlsAreRefusedAndLeaveNothingBehind() throws Exception {
        slipway.api().json("POST", "/apps", "{\"id\":\"dbrefused\",\"name\":\"Refused\"}");
        String[][] cases = {
                {"https://example.com/db", "400", "database-url-invalid"},
                {"postgres://127.0.0.1/db", "400", "database-url-invalid"}, // no user
                {"postgres://u@127.0.0.1:5432/db?options=-c%20x", "400", "database-url-invalid"},
                {"postgres://u:p@10.1.2.3:5432/db", "400", "database-host-not-public"},
                {"postgres://u:p@169.254.169.254:5432/db", "400", "database-host-not-public"},
                {"postgres://u:p@8.8.8.8:5432/db?sslmode=disable", "400", "database-tls-required"},
                {"postgres://u:p@127.0.0.1:1/db?sslmode=disable", "422", "database-unreachable"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = slipway.api().json("PUT", "/apps/dbrefused/database", "{\"url\":\"" + c[0] + "\"}");
            assertEquals(c[1] + " " + c[2], r.statusCode() + " " + problem(r), c[0] + " → " + r.body());
            assertFalse(r.body().contains(":p@"), "the URL's password is not repeated: " + r.body());
        }
        HttpResponse<String> kind = slipway.api().json("PUT", "/apps/dbrefused/database", "{\"url\":\"" + url() + "\",\"kind\":\"mongo\"}");
        assertEquals(400, kind.statusCode(), kind.body());
        assertEquals(404, slipway.api().json("GET", "/apps/dbrefused/database", null).statusCode(), "nothing was linked");
        assertFalse(slipway.api().json("GET", "/apps/dbrefused/audit", null).body().contains("database."));
    }

    @Test
    void aBackupIsVerifiedDownloadableAndRestoresIntoAnotherDatabase() throws Exception {
        slipway.api().json("POST", "/apps", "{\"id\":\"dbbackup\",\"name\":\"Backups\"}");
        HttpResponse<String> none = slipway.api().json("POST", "/apps/dbbackup/database/backups", null);
        assertEquals("404 database-not-linked", none.statusCode() + " " + problem(none));
        assertEquals(200, slipway.api().json("PUT", "/apps/dbbackup/database", "{\"url\":\"" + url() + "\"}").statusCode());

        HttpResponse<String> started = slipway.api().json("POST", "/apps/dbbackup/database/backups", null);
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).get("backupId").asText();
        JsonNode backup = await("/apps/dbbackup/database/backups/" + id);
        assertEquals("VERIFIED", backup.get("status").asText(), backup.toString());
        assertEquals(2000, backup.get("rows").asLong());
        assertTrue(backup.get("usable").asBoolean());
        JsonNode list = Json.parse(slipway.api().json("GET", "/apps/dbbackup/database/backups", null).body());
        assertEquals(id, list.get("backups").get(0).get("backupId").asText());
        assertEquals(24, list.get("policy").get("everyHours").asInt());

        // the download is the encrypted object: no row of the data readable in it
        JsonNode download = Json.parse(slipway.api().json("POST", "/apps/dbbackup/database/backups/" + id + "/download", null).body());
        byte[] object = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(download.get("url").asText())).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals("SLWE1", new String(object, 0, 5, java.nio.charset.StandardCharsets.US_ASCII));
        assertFalse(new String(object, java.nio.charset.StandardCharsets.ISO_8859_1).contains("product 1"), "encrypted at rest");

        // restore into another database, as any Postgres URL
        try (ScratchDatabase target = slipway.runtime().postgres().server().createDatabase("target")) {
            HttpResponse<String> restore = slipway.api().json("POST", "/apps/dbbackup/database/restores",
                    "{\"backupId\":\"" + id + "\",\"targetUrl\":\"" + target.url() + "\"}");
            assertEquals(202, restore.statusCode(), restore.body());
            JsonNode done = await("/apps/dbbackup/database/restores/" + Json.parse(restore.body()).get("restoreId").asText());
            assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
            try (Connection c = target.connect(); Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT count(*), sum(price) FROM products")) {
                r.next();
                assertEquals(2000, r.getInt(1));
                assertEquals(0, new java.math.BigDecimal("3001500.0").compareTo(r.getBigDecimal(2)));
            }
            try (Connection c = target.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO products (name) VALUES ('  spaced  ')");
                try (java.sql.ResultSet r = s.executeQuery("SELECT (SELECT name FROM products WHERE name LIKE '%spaced%'),"
                        + " (SELECT count(*) FROM pg_policy WHERE polname = 'priced'), obj_description('products'::regclass)")) {
                    r.next();
                    assertEquals("spaced", r.getString(1), "the trigger came back and fires");
                    assertEquals(1, r.getInt(2), "the policy came back");
                    assertEquals("What the shop sells", r.getString(3));
                }
            }
        }
        // over the linked database only when confirmed; unknown and unusable backups are refused
        HttpResponse<String> over = slipway.api().json("POST", "/apps/dbbackup/database/restores",
                "{\"backupId\":\"" + id + "\",\"targetUrl\":\"" + url() + "\"}");
        assertEquals("409 restore-confirmation-required", over.statusCode() + " " + problem(over));
        HttpResponse<String> unknown = slipway.api().json("POST", "/apps/dbbackup/database/restores",
                "{\"backupId\":\"01JZZZZZZZZZZZZZZZZZZZZZZZ\",\"targetUrl\":\"" + url() + "\"}");
        assertEquals("404 backup-not-found", unknown.statusCode() + " " + problem(unknown));

        String audit = slipway.api().json("GET", "/apps/dbbackup/audit?limit=500", null).body();
        for (String action : List.of("database.backup.started", "database.backup.verified", "database.backup.downloaded",
                "database.restore.started", "database.restore.succeeded")) {
            assertTrue(audit.contains(action), action + " in " + audit);
        }
        assertFalse(audit.contains(PASSWORD));
    }

    @Test
    void thePolicyKeepsWhatItSaysAndARestoreOverTheLinkedDatabaseNeedsItsConfirmation() throws Throwable {
        slipway.api().json("POST", "/apps", "{\"id\":\"dbkeep\",\"name\":\"Keep\"}");
        assertEquals(200, slipway.api().json("PUT", "/apps/dbkeep/database", "{\"url\":\"" + url() + "\"}").statusCode());
        HttpResponse<String> bad = slipway.api().json("PUT", "/apps/dbkeep/database/backup-policy", "{\"keepCount\":0}");
        assertEquals(400, bad.statusCode(), bad.body());
        HttpResponse<String> policy = slipway.api().json("PUT", "/apps/dbkeep/database/backup-policy", "{\"everyHours\":24,\"keepCount\":1,\"keepDays\":30}");
        assertEquals(200, policy.statusCode(), policy.body());
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String id = Json.parse(slipway.api().json("POST", "/apps/dbkeep/database/backups", null).body()).get("backupId").asText();
            assertEquals("VERIFIED", await("/apps/dbkeep/database/backups/" + id).get("status").asText());
            ids.add(id);
        }
        // the schedule (as EventBridge Scheduler or the local timer runs it): keeps 1, starts none (the last is fresh)
        Object run = slipway.runtime().functions().invoke("DataScheduleFunction", java.util.Map.of("source", "test"));
        assertEquals(1, ((java.util.Map<?, ?>) run).get("expired"), String.valueOf(run));
        JsonNode list = Json.parse(slipway.api().json("GET", "/apps/dbkeep/database/backups", null).body()).get("backups");
        assertEquals(1, list.size(), list.toString());
        assertEquals(ids.get(1), list.get(0).get("backupId").asText(), "the newest is kept");
        assertEquals(404, slipway.api().json("GET", "/apps/dbkeep/database/backups/" + ids.get(0), null).statusCode());
        assertTrue(slipway.api().json("GET", "/apps/dbkeep/audit?limit=500", null).body().contains("database.backup.expired"));

        // over the linked database with the confirmation: its tables are replaced by the backup's, in one transaction
        try (Connection c = source.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM products WHERE id > 10");
        }
        HttpResponse<String> over = slipway.api().json("POST", "/apps/dbkeep/database/restores", "{\"backupId\":\"" + ids.get(1)
                + "\",\"targetUrl\":\"" + url() + "\",\"confirm\":\"overwrite-linked-database\"}");
        assertEquals(202, over.statusCode(), over.body());
        JsonNode done = await("/apps/dbkeep/database/restores/" + Json.parse(over.body()).get("restoreId").asText());
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        try (Connection c = source.connect(); Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("SELECT count(*),"
                + " (SELECT count(*) FROM pg_trigger WHERE tgname = 'products_trim'), (SELECT count(*) FROM pg_policy WHERE polname = 'priced')"
                + " FROM products")) {
            r.next();
            assertEquals(2000, r.getInt(1));
            assertEquals(1, r.getInt(2), "the trigger, dropped with the table, is back");
            assertEquals(1, r.getInt(3), "the policy too");
        }
    }
}
