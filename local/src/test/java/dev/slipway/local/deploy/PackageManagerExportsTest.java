package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports made with each package manager, deployed through `slipway up` with no edits by the owner: the
 * fixtures {@code shared/src/test/resources/fixtures/pm-*} (one dependency, {@code node build.js} writes
 * dist/index.html with it, a lockfile written by the tool itself). bun and pnpm need not be on PATH; a lockfile
 * out of step with package.json fails with the diagnosis first.
 */
class PackageManagerExportsTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    static final AdminApi api = slipway.api();
    static final String PAGE = "<pre>****padded</pre>";

    @Test
    void bunLockOnly() throws Exception {
        String log = deploys("pm-bun", "bun");
        assertTrue(log.contains("==> install: bun install --frozen-lockfile"), log);
    }

    @Test
    void pnpmV9() throws Exception {
        String log = deploys("pm-pnpm9", "pnpm");
        assertTrue(log.contains("==> install: pnpm install --frozen-lockfile"), log);
    }

    @Test
    void yarnClassic() throws Exception {
        String log = deploys("pm-yarn-classic", "yarn");
        assertTrue(log.contains("==> install: yarn install --frozen-lockfile"), log);
    }

    @Test
    void noLockfile() throws Exception {
        String log = deploys("pm-no-lockfile", "npm");
        assertTrue(log.contains("no lockfile found"), log);
    }

    @Test
    void aLockfileOutOfStepFailsWithTheDiagnosis() throws Exception {
        HttpResponse<String> imported = importFixture("pm-npm-drift", "drift");
        assertEquals(201, imported.statusCode(), imported.body());
        String id = Json.parse(api.json("POST", "/apps/drift/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("drift", id);
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        String failure = d.path("failure").asText();
        assertTrue(failure.startsWith("lockfile out of step with package.json: package-lock.json does not match its"
                + " dependencies (Missing: is-odd@3.0.1 from lock file); run npm install and commit the lockfile\n"), failure);
        assertTrue(failure.contains("npm ci exited with status 1"), failure);
    }

    /** Imports and deploys the fixture as app {@code app}; asserts the site and a clean log, returns the log. */
    private static String deploys(String fixture, String app) throws Exception {
        HttpResponse<String> imported = importFixture(fixture, app);
        assertEquals(201, imported.statusCode(), imported.body());
        boolean noLockfileFinding = false;
        for (JsonNode f : Json.parse(imported.body()).path("findings")) {
            noLockfileFinding |= f.path("rule").asText().equals("no-lockfile");
        }
        assertEquals(fixture.equals("pm-no-lockfile"), noLockfileFinding, imported.body());
        String id = Json.parse(api.json("POST", "/apps/" + app + "/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment(app, id);
        String log = api.json("GET", "/apps/" + app + "/deployments/" + id + "/logs", null).body();
        assertEquals("SUCCEEDED", d.path("status").asText(), d + "\n" + log);
        assertFalse(log.contains("Unknown env config"), log);
        assertFalse(log.contains("network: refused"), log);
        slipway.edge().awaitPromoted(d);
        assertTrue(slipway.edge().site(app, "/").text().contains(PAGE));
        return log;
    }

    private static HttpResponse<String> importFixture(String fixture, String app) throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"" + app + "\"}").statusCode());
        return api.send("POST", "/apps/" + app + "/imports", Exports.zip("", files(fixture)), "application/zip");
    }

    static Map<String, String> files(String fixture) {
        Path dir = EmbeddedEngines.repoRoot().resolve("shared/src/test/resources/fixtures").resolve(fixture);
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(p).toString(), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
