package dev.slipway.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.AdminApi;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.shared.deploy.ContentPolicy;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct upload of a prebuilt site through `slipway up`: list the files by SHA-256, PUT only what
 * the app does not store yet to the presigned URLs, finalize, deploy the READY release and read it
 * back from the edge. Then a release with one file changed uploads only that file, and bad input
 * is a problem that leaves nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectUploadTest {
    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().build();
    private static final AdminApi api = slipway.api();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String APP = "prebuilt";
    private static final String BUCKET = "slipway-artifactsbucket";
    private static final byte[] PNG = new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, (byte) 0xff, 0, 7};
    private static String firstRelease;

    @BeforeAll
    static void up() throws Exception {
        assertEquals(201, api.json("POST", "/apps", "{\"id\":\"" + APP + "\",\"name\":\"Prebuilt\"}").statusCode());
    }

    static Map<String, byte[]> site(String headline) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("/index.html", ("<!doctype html><html><head><link rel=\"stylesheet\" href=\"/assets/style-9f8e7d6c.css\"></head>"
                + "<body><h1>" + headline + "</h1><img src=\"/img/logo.png\"><script src=\"/assets/app-1a2b3c4d.js\"></script></body></html>\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put("/assets/app-1a2b3c4d.js", "document.querySelector('h1').dataset.ready = 'yes';\n".getBytes(StandardCharsets.UTF_8));
        files.put("/assets/style-9f8e7d6c.css", "h1 { color: #123456; }\n".getBytes(StandardCharsets.UTF_8));
        files.put("/img/logo.png", PNG);
        return files;
    }

    @Test
    @Order(1)
    void aPrebuiltSiteIsUploadedFinalizedDeployedAndServed() throws Exception {
        // Given a prebuilt site; when a release is created from its file list
        Map<String, byte[]> site = site("Uploaded, not built");
        JsonNode created = createRelease(site);
        // then it is STAGED, asking for every file, with one upload URL each
        assertEquals("STAGED", created.path("status").asText());
        firstRelease = created.path("releaseId").asText();
        assertEquals(26, firstRelease.length());
        assertEquals(firstRelease.toLowerCase(), firstRelease);
        assertEquals(new TreeSet<>(shas(site).values()), strings(created.path("required")));
        assertEquals(4, created.path("uploads").size());
        assertEquals("/apps/" + APP + "/releases/" + firstRelease + "/finalize", created.path("links").path("finalize").asText());
        JsonNode got = Json.parse(api.json("GET", "/apps/" + APP + "/releases/" + firstRelease, null).body());
        assertEquals("STAGED", got.path("status").asText(), got.toString());
        assertEquals("upload", got.path("source").asText());

        // When the files are uploaded and the release finalized, then it is READY
        upload(created, site);
        HttpResponse<String> fin = api.json("POST", "/apps/" + APP + "/releases/" + firstRelease + "/finalize", null);
        assertEquals(200, fin.statusCode(), fin.body());
        JsonNode ready = Json.parse(fin.body());
        assertEquals("READY", ready.path("status").asText());
        assertEquals(4, ready.path("files").asInt());
        assertEquals(site.values().stream().mapToLong(b -> b.length).sum(), ready.path("bytes").asLong());
        assertTrue(ready.path("releaseUrl").asText().contains(firstRelease + "--" + APP), ready.toString());
        // Idempotent, and the uploads were consumed.
        HttpResponse<String> again = api.json("POST", "/apps/" + APP + "/releases/" + firstRelease + "/finalize", null);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("READY", Json.parse(again.body()).path("status").asText());
        assertEquals(0, count("uploads/" + APP + "/"));
        JsonNode record = Json.parse(api.json("GET", "/apps/" + APP + "/releases/" + firstRelease, null).body());
        assertEquals("READY", record.path("status").asText());
        assertTrue(record.hasNonNull("readyAt") && record.hasNonNull("createdAt"), record.toString());

        // When the READY release is deployed (no build), then the edge serves each file with its type and caching
        JsonNode d = deployRelease(firstRelease);
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertEquals(firstRelease, d.path("releaseId").asText());
        assertTrue(d.path("reusedRelease").asBoolean());

        EdgeClient.Reply index = edge("/");
        assertEquals(200, index.status());
        assertEquals(ContentPolicy.NO_CACHE, index.header("cache-control"));
        assertTrue(index.header("content-type").startsWith("text/html"));
        assertTrue(index.text().contains("Uploaded, not built"), index.text());
        EdgeClient.Reply js = edge("/assets/app-1a2b3c4d.js");
        assertEquals(ContentPolicy.IMMUTABLE, js.header("cache-control"));
        assertTrue(js.header("content-type").startsWith("text/javascript"));
        assertEquals(new String(site.get("/assets/app-1a2b3c4d.js"), StandardCharsets.UTF_8), js.text());
        EdgeClient.Reply css = edge("/assets/style-9f8e7d6c.css");
        assertTrue(css.header("content-type").startsWith("text/css"));
        EdgeClient.Reply png = edge("/img/logo.png");
        assertEquals("image/png", png.header("content-type"));
        assertEquals(ContentPolicy.SHORT, png.header("cache-control"));
        assertArrayEquals(PNG, png.body());
    }

    @Test
    @Order(2)
    void aChangedFileIsTheOnlyUploadAndTheRestIsCopied() throws Exception {
        Map<String, byte[]> site = site("Second edition");
        JsonNode created = createRelease(site);
        String changed = ReleaseFiles.hex("SHA-256", site.get("/index.html"));
        assertEquals(List.of(changed), new ArrayList<>(strings(created.path("required"))), created.toString());
        assertEquals(1, created.path("uploads").size());
        upload(created, site);
        String id = created.path("releaseId").asText();
        HttpResponse<String> fin = api.json("POST", "/apps/" + APP + "/releases/" + id + "/finalize", null);
        assertEquals(200, fin.statusCode(), fin.body());
        assertEquals(4, Json.parse(fin.body()).path("files").asInt());
        assertEquals("SUCCEEDED", deployRelease(id).path("status").asText());
        assertTrue(edge("/").text().contains("Second edition"));
        EdgeClient.Reply js = edge("/assets/app-1a2b3c4d.js");
        assertEquals(ContentPolicy.IMMUTABLE, js.header("cache-control"));
        assertEquals(new String(site.get("/assets/app-1a2b3c4d.js"), StandardCharsets.UTF_8), js.text());
        assertArrayEquals(PNG, edge("/img/logo.png").body());
        // The first release still answers at its own URL, unchanged.
        assertTrue(slipway.edge().site(firstRelease + "--" + APP, "/").text().contains("Uploaded, not built"));
    }

    @Test
    @Order(3)
    void badRequestsAreProblemsAndLeaveNothingBehind() throws Exception {
        int releasesBefore = count("releases/" + APP + "/");
        String good = ReleaseFiles.hex("SHA-256", new byte[]{1});
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"/a.html\":\"" + good.toUpperCase() + "\"}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"/a.html\":\"abc\"}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"../x\":\"" + good + "\"}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"/a/../../x\":\"" + good + "\"}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"/a.html\":\"" + good + "\",\"a.html\":\"" + good + "\"}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{}}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{}"), 400, "validation-failed");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", "{\"files\":{\"/a.html\":\"" + good + "\"},\"x\":1}"), 400, "unknown-field");
        assertProblem(api.json("POST", "/apps/nope/releases", "{\"files\":{\"/a.html\":\"" + good + "\"}}"), 404, "app-not-found");
        // Too many files, and a body beyond the route's limit.
        StringBuilder many = new StringBuilder("{\"files\":{");
        for (int i = 0; i <= 20_000; i++) {
            many.append(i == 0 ? "" : ",").append("\"/f").append(i).append(".txt\":\"").append(good).append('"');
        }
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", many.append("}}").toString()), 413, "payload-too-large");
        String huge = "{\"files\":{\"/a.html\":\"" + good + "\"},\"pad\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}";
        assertProblem(api.json("POST", "/apps/" + APP + "/releases", huge), 413, "payload-too-large");
        // Finalize of releases that do not exist.
        assertProblem(api.json("POST", "/apps/" + APP + "/releases/01kb0x3m5n7q8r9s0t1v2w3x4y/finalize", null), 404, "release-not-found");
        assertProblem(api.json("POST", "/apps/" + APP + "/releases/not-a-release/finalize", null), 404, "release-not-found");
        assertProblem(api.json("GET", "/apps/" + APP + "/releases/01kb0x3m5n7q8r9s0t1v2w3x4y", null), 404, "release-not-found");
        assertEquals(releasesBefore, count("releases/" + APP + "/"));
        assertEquals(0, count("uploads/" + APP + "/"));
    }

    @Test
    @Order(4)
    void missingOrWrongUploadsAreRefusedUntilTheyAreRight() throws Exception {
        Map<String, byte[]> site = site("Third edition");
        site.put("/about.html", "<!doctype html><p>about</p>\n".getBytes(StandardCharsets.UTF_8));
        JsonNode created = createRelease(site);
        String id = created.path("releaseId").asText();
        assertEquals(2, created.path("required").size(), created.toString());
        String finalize = "/apps/" + APP + "/releases/" + id + "/finalize";

        // Nothing uploaded: 409 naming both hashes, nothing written.
        HttpResponse<String> missing = api.json("POST", finalize, null);
        assertProblem(missing, 409, "release-files-missing");
        for (JsonNode sha : created.path("required")) {
            assertTrue(missing.body().contains(sha.asText()), missing.body());
        }
        assertEquals(0, count("sites/" + APP + "/" + id + "/"));

        // One upload with the wrong bytes: 422 naming it, nothing written, still STAGED.
        Map<String, byte[]> wrong = new LinkedHashMap<>(site);
        wrong.put("/about.html", "tampered".getBytes(StandardCharsets.UTF_8));
        String aboutSha = ReleaseFiles.hex("SHA-256", site.get("/about.html"));
        upload(created, site, wrong.get("/about.html"), aboutSha);
        HttpResponse<String> mismatch = api.json("POST", finalize, null);
        assertProblem(mismatch, 422, "release-files-mismatch");
        assertTrue(mismatch.body().contains(aboutSha), mismatch.body());
        assertEquals(0, count("sites/" + APP + "/" + id + "/"));
        assertEquals("STAGED", Json.parse(api.json("GET", "/apps/" + APP + "/releases/" + id, null).body()).path("status").asText());

        // The right bytes: finalize works.
        upload(created, site);
        HttpResponse<String> fin = api.json("POST", finalize, null);
        assertEquals(200, fin.statusCode(), fin.body());
        assertEquals(5, Json.parse(fin.body()).path("files").asInt());
        assertEquals(5, count("sites/" + APP + "/" + id + "/"));
        assertEquals(0, count("uploads/" + APP + "/"));
    }

    // ---- helpers

    static Map<String, String> shas(Map<String, byte[]> site) {
        Map<String, String> out = new LinkedHashMap<>();
        site.forEach((p, b) -> out.put(p, ReleaseFiles.hex("SHA-256", b)));
        return out;
    }

    private static TreeSet<String> strings(JsonNode array) {
        TreeSet<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode createRelease(Map<String, byte[]> site) throws Exception {
        ObjectNode body = Json.object();
        ObjectNode files = body.putObject("files");
        shas(site).forEach(files::put);
        HttpResponse<String> r = api.json("POST", "/apps/" + APP + "/releases", Json.write(body));
        assertEquals(201, r.statusCode(), r.body());
        return Json.parse(r.body());
    }

    /** PUTs every required file to its presigned URL. */
    private static void upload(JsonNode created, Map<String, byte[]> site) throws Exception {
        upload(created, site, null, null);
    }

    private static void upload(JsonNode created, Map<String, byte[]> site, byte[] replacement, String replacedSha) throws Exception {
        Map<String, byte[]> bySha = new LinkedHashMap<>();
        site.values().forEach(b -> bySha.put(ReleaseFiles.hex("SHA-256", b), b));
        for (JsonNode u : created.path("uploads")) {
            String sha = u.path("sha256").asText();
            byte[] bytes = sha.equals(replacedSha) ? replacement : bySha.get(sha);
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(u.path("url").asText()))
                    .method(u.path("method").asText(), HttpRequest.BodyPublishers.ofByteArray(bytes));
            u.path("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
            HttpResponse<String> r = HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    private static JsonNode deployRelease(String releaseId) throws Exception {
        HttpResponse<String> started = api.json("POST", "/apps/" + APP + "/deployments", "{\"releaseId\":\"" + releaseId + "\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).path("deploymentId").asText();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(api.json("GET", "/apps/" + APP + "/deployments/" + id, null).body());
            if (!d.path("status").asText().equals("RUNNING")) {
                assertFalse(d.path("steps").toString().contains("\"Build\""), d.toString());
                slipway.edge().awaitPromoted(d);
                return d;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deployment " + id + " still running after 2 minutes");
    }

    private static int count(String prefix) {
        return slipway.s3().listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).keyCount();
    }

    /** GET a path of the app's production site. */
    private static EdgeClient.Reply edge(String path) throws Exception {
        return slipway.edge().site(APP, path);
    }

    @Test
    @Order(20)
    void uploadUrlsComeInPagesSoALargeSiteFitsALambdaAnswer() throws Exception {
        java.util.TreeMap<String, String> files = new java.util.TreeMap<>();
        for (int i = 0; i < 1_200; i++) {
            files.put("/pages/p" + i + ".html", ReleaseFiles.hex("SHA-256", ("page " + i + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8)));
        }
        var body = Json.object();
        var fs = body.putObject("files");
        files.forEach(fs::put);
        HttpResponse<String> created = api.json("POST", "/apps/" + APP + "/releases", Json.write(body));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode first = Json.parse(created.body());
        assertEquals(1_200, first.path("required").size());
        assertEquals(500, first.path("uploads").size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        first.path("uploads").forEach(u -> seen.add(u.path("sha256").asText()));
        String next = first.path("nextUploads").asText(null);
        int pages = 1;
        while (next != null) {
            JsonNode page = Json.parse(api.json("GET", next, null).body());
            page.path("uploads").forEach(u -> seen.add(u.path("sha256").asText()));
            next = page.path("nextUploads").asText(null);
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(new java.util.HashSet<>(files.values()), seen, "every required hash has exactly one upload URL");
        HttpResponse<String> bad = api.json("GET", "/apps/" + APP + "/releases/" + first.path("releaseId").asText() + "/uploads?cursor=zz", null);
        assertEquals(400, bad.statusCode(), bad.body());
    }

    @Test
    @Order(21)
    void finalizeWithThousandsOfFilesMissingNamesAFewAndCountsAll() throws Exception {
        // Given a release of 1,200 files none of which was uploaded
        ObjectNode body = Json.object();
        ObjectNode fs = body.putObject("files");
        for (int i = 0; i < 1_200; i++) {
            fs.put("/many/m" + i + ".html", ReleaseFiles.hex("SHA-256", ("missing " + i + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> created = api.json("POST", "/apps/" + APP + "/releases", Json.write(body));
        assertEquals(201, created.statusCode(), created.body());
        String id = Json.parse(created.body()).path("releaseId").asText();

        // When it is finalized, then the 409 names the first 20 hashes and counts all of them, in a small body
        HttpResponse<String> missing = api.json("POST", "/apps/" + APP + "/releases/" + id + "/finalize", null);
        assertProblem(missing, 409, "release-files-missing");
        JsonNode problem = Json.parse(missing.body());
        assertEquals(20, problem.path("errors").size(), missing.body());
        String detail = problem.path("detail").asText();
        assertTrue(detail.startsWith("1200 files were not uploaded yet: "), detail);
        assertTrue(detail.contains(" and 1180 more."), detail);
        assertTrue(missing.body().length() < 8_000, missing.body().length() + " characters");
        assertEquals(0, count("sites/" + APP + "/" + id + "/"));
    }

    private static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }
}
