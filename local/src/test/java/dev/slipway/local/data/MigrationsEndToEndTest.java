package dev.slipway.local.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
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

    @BeforeAll
    static void apps() throws Exception {
        create(PLAIN);
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

    // ---- helpers

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
        HttpResponse<String> created = api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}");
        assertEquals(201, created.statusCode(), created.body());
    }

    static void importApp(String app, Map<String, String> files) throws Exception {
        HttpResponse<String> r = api.send("POST", "/apps/" + app + "/imports", Exports.zip(app + "-main/", files), "application/zip");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    }

    static JsonNode deployAndWait(String app) throws Exception {
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
