package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack from the hostile-builds issue, through `slipway up`: a preview build of one app goes after the
 * data folder (admin token, master key, every app's encrypted variables, the build cache), another app's and
 * its own production-only variables, and Slipway's API port, then publishes what it found as its site. The
 * edge serves that site; the test reads it there.
 */
class HostileBuildTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static final String VICTIM_SECRET = "victim-production-Secret-91ab";
    static final String OWN_PRODUCTION_SECRET = "attacker-production-Secret-5c2d";
    static final String OWN_PREVIEW_VALUE = "attacker-preview-Value-77e0";
    static String served;
    static JsonNode found;

    @BeforeAll
    static void attack() throws Exception {
        LocalRuntime runtime = slipway.runtime();
        for (String app : List.of("victim", "attacker")) {
            assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}").statusCode());
        }
        ok("PATCH", "/apps/victim/environment", "{\"set\":{\"STRIPE_SECRET_KEY\":{\"value\":\"" + VICTIM_SECRET
                + "\",\"scopes\":[\"production\"]}}}");
        ok("PATCH", "/apps/attacker/environment", "{\"set\":{"
                + "\"PROD_ONLY\":{\"value\":\"" + OWN_PRODUCTION_SECRET + "\",\"scopes\":[\"production\"]},"
                + "\"PREVIEW_VALUE\":{\"value\":\"" + OWN_PREVIEW_VALUE + "\",\"scopes\":[\"preview\"]}}}");

        Path data = slipway.dataDir().toAbsolutePath();
        List<String> targets = new ArrayList<>(List.of(data.toString(), data.resolve("admin-token").toString(),
                data.resolve("secrets").toString(), data.resolve("secrets/master.key").toString(),
                data.resolve("build-cache").toString(), data.resolve("builds").toString(), "../../../admin-token"));
        try (Stream<Path> secrets = Files.walk(data.resolve("secrets"))) {
            secrets.filter(Files::isRegularFile).map(Path::toString).forEach(targets::add); // every app's *.env.enc
        }
        assertTrue(targets.stream().anyMatch(t -> t.endsWith(".env.enc")), targets.toString());
        int apiPort = URI.create(runtime.apiUrl()).getPort();

        Map<String, String> files = new LinkedHashMap<>();
        files.put("package.json", "{\"name\":\"attacker\",\"private\":true,\"scripts\":{\"build\":\"node attack.cjs\"}}");
        files.put("package-lock.json", "{\"name\":\"attacker\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{\"\":{\"name\":\"attacker\"}}}");
        files.put("index.html", "<!doctype html><p>placeholder</p>\n");
        files.put("targets.txt", String.join("\n", targets) + "\n" + apiPort + "\n");
        files.put("attack.cjs", ATTACK);
        HttpResponse<String> imported = api.send("POST", "/apps/attacker/imports", Exports.zip("", files), "application/zip");
        assertTrue(imported.statusCode() == 201 || imported.statusCode() == 200, imported.body());

        HttpResponse<String> r = api.json("POST", "/apps/attacker/previews", "{\"ref\":\"main\",\"name\":\"steal\"}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode d = api.awaitDeployment("attacker", Json.parse(r.body()).path("deployment").path("deploymentId").asText());
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        EdgeClient.Reply page = EdgeClient.get(runtime.edge().port(), slipway.edge().host(d.path("releaseId").asText() + "--attacker"), "/");
        assertEquals(200, page.status(), page.text());
        served = page.text();
        found = Json.parse(served);
    }

    @Test
    void theBuildReadNothingOfTheDataFolder() {
        List<String> read = new ArrayList<>();
        found.path("files").fields().forEachRemaining(e -> {
            if (!e.getValue().asText().startsWith("ERR ")) {
                read.add(e.getKey() + " -> " + e.getValue().asText());
            }
        });
        assertEquals(List.of(), read);
        assertFalse(served.contains(slipway.runtime().adminToken()), "the admin token is not in the site");
    }

    @Test
    void itGotOnlyItsOwnPreviewVariables() {
        JsonNode env = found.path("env");
        assertEquals(OWN_PREVIEW_VALUE, env.path("PREVIEW_VALUE").asText(), "the positive control: its own preview value");
        assertFalse(env.has("PROD_ONLY"), env.toString());
        assertFalse(served.contains(OWN_PRODUCTION_SECRET));
        assertFalse(served.contains(VICTIM_SECRET));
        assertFalse(env.has("STRIPE_SECRET_KEY"));
    }

    @Test
    void slipwaysApiWasOutOfReach() {
        assertTrue(found.path("direct").asText().startsWith("ERR "), found.path("direct").asText());
        assertTrue(found.path("viaProxy").asText().startsWith("HTTP/1.1 403"), found.path("viaProxy").asText());
    }

    private static void ok(String method, String path, String json) throws Exception {
        HttpResponse<String> r = api.json(method, path, json);
        assertEquals(200, r.statusCode(), r.body());
    }

    static final String ATTACK = """
            const fs = require('fs');
            const net = require('net');
            const lines = fs.readFileSync('targets.txt', 'utf8').trim().split('\\n');
            const port = lines.pop();
            const look = (p) => {
              try { return fs.statSync(p).isDirectory() ? JSON.stringify(fs.readdirSync(p)) : fs.readFileSync(p, 'utf8'); }
              catch (e) { return 'ERR ' + e.code; }
            };
            const connect = () => new Promise((resolve) => {
              const s = net.connect({ host: '127.0.0.1', port, timeout: 3000 }, () => { s.destroy(); resolve('connected'); });
              s.on('error', (e) => resolve('ERR ' + e.code));
              s.on('timeout', () => { s.destroy(); resolve('ERR timeout'); });
            });
            const viaProxy = () => new Promise((resolve) => {
              const s = net.connect({ host: '127.0.0.1', port: 3128 }, () => s.write('CONNECT 127.0.0.1:' + port + ' HTTP/1.1\\r\\n\\r\\n'));
              let got = '';
              s.on('data', (d) => { got += d; if (got.includes('\\r\\n')) { s.destroy(); resolve(got.split('\\r\\n')[0]); } });
              s.on('error', (e) => resolve('ERR ' + e.code));
              s.on('close', () => resolve(got || 'ERR closed'));
            });
            (async () => {
              const r = { files: {}, env: process.env };
              for (const t of lines) r.files[t] = look(t);
              r.direct = await connect();
              r.viaProxy = await viaProxy();
              fs.mkdirSync('dist', { recursive: true });
              fs.writeFileSync('dist/index.html', JSON.stringify(r));
            })();
            """;
}
