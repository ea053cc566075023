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

    /**
     * No lockfile: the install writes one, and the owner may commit it (POST …/lockfile-commit): a new commit on
     * the branch whose only change is package-lock.json, audited; the next deploy installs from it.
     */
    @Test
    void noLockfileDeploysAndItsWrittenLockfileIsOfferedAsACommit() throws Exception {
        Deployed first = deployed("pm-no-lockfile", "npm");
        assertTrue(first.log().contains("no lockfile found"), first.log());
        assertTrue(first.log().contains("==> the install wrote package-lock.json: it is offered as a commit"), first.log());

        HttpResponse<String> missing = api.json("POST", "/apps/npm/deployments/01hzzzzzzzzzzzzzzzzzzzzzzz/lockfile-commit", null);
        assertEquals(404, missing.statusCode(), missing.body());
        HttpResponse<String> offered = api.json("GET", "/apps/npm/deployments/" + first.id() + "/lockfile", null);
        assertEquals(200, offered.statusCode(), offered.body());
        JsonNode offer = Json.parse(offered.body());
        assertEquals(first.commit(), offer.path("commit").asText(), offered.body());
        assertEquals("package-lock.json", offer.path("files").get(0).path("name").asText(), offered.body());
        assertEquals("written", offer.path("files").get(0).path("change").asText(), offered.body());
        assertEquals(64, offer.path("files").get(0).path("sha256").asText().length(), offered.body());
        assertEquals("/apps/npm/deployments/" + first.id() + "/lockfile-commit", offer.path("links").path("commit").asText());
        HttpResponse<String> committed = api.json("POST", "/apps/npm/deployments/" + first.id() + "/lockfile-commit", null);
        assertEquals(201, committed.statusCode(), committed.body());
        JsonNode c = Json.parse(committed.body());
        assertEquals(first.commit(), c.path("parent").asText(), committed.body());
        assertEquals("main", c.path("branch").asText());
        assertEquals("[\"package-lock.json\"]", c.path("files").toString());
        String commit = c.path("commit").asText();
        JsonNode files = Json.parse(api.json("GET", "/apps/npm/commits/" + commit + "/files", null).body());
        assertTrue(files.toString().contains("\"path\":\"package-lock.json\""), files.toString());
        JsonNode head = Json.parse(api.json("GET", "/apps/npm/commits?branch=main", null).body()).path("commits").get(0);
        assertEquals(commit, head.path("sha").asText(), head.toString());
        JsonNode audit = Json.parse(api.json("GET", "/apps/npm/audit", null).body()).path("events");
        JsonNode event = audit.get(audit.size() - 1);
        assertEquals("lockfile.committed", event.path("action").asText(), audit.toString());
        assertEquals(commit, event.path("after").path("commit").asText());
        assertEquals(first.id(), event.path("after").path("deploymentId").asText());

        HttpResponse<String> again = api.json("POST", "/apps/npm/deployments/" + first.id() + "/lockfile-commit", null);
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("urn:slipway:problem:branch-moved", Json.parse(again.body()).path("type").asText());

        // the next deploy installs from the committed lockfile, and has nothing to offer
        String second = Json.parse(api.json("POST", "/apps/npm/deployments", "{}").body()).path("deploymentId").asText();
        JsonNode d = api.awaitDeployment("npm", second);
        String log = api.json("GET", "/apps/npm/deployments/" + second + "/logs", null).body();
        assertEquals("SUCCEEDED", d.path("status").asText(), d + "\n" + log);
        assertEquals(commit, d.path("commit").asText());
        assertTrue(log.contains("package manager npm (from package-lock.json)"), log);
        assertFalse(log.contains("no lockfile found"), log);
        HttpResponse<String> none = api.json("GET", "/apps/npm/deployments/" + second + "/lockfile", null);
        assertEquals(404, none.statusCode(), none.body());
        assertEquals("urn:slipway:problem:lockfile-not-found", Json.parse(none.body()).path("type").asText());
        HttpResponse<String> nothing = api.json("POST", "/apps/npm/deployments/" + second + "/lockfile-commit", null);
        assertEquals(409, nothing.statusCode(), nothing.body());
        assertEquals("urn:slipway:problem:no-lockfile-to-commit", Json.parse(nothing.body()).path("type").asText());
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

    record Deployed(String id, String commit, String log) {
    }

    /** Imports and deploys the fixture as app {@code app}; asserts the site and a clean log, returns the log. */
    private static String deploys(String fixture, String app) throws Exception {
        return deployed(fixture, app).log();
    }

    private static Deployed deployed(String fixture, String app) throws Exception {
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
        return new Deployed(id, d.path("commit").asText(), log);
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
