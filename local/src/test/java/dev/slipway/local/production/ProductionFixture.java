package dev.slipway.local.production;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.edge.EdgeClient;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** READY releases made cheaply (direct upload), deployed by id, and the stores read directly, on a {@link LocalSlipway}. */
final class ProductionFixture {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final LocalSlipway slipway;
    final LocalRuntime runtime;
    final S3Client s3;
    final DynamoDbClient ddb;
    final AuditLedger ledger;
    final DeployStores store;
    final String bucket;

    /** On the running {@code slipway}, whose store clients it uses (and leaves to it to close). */
    ProductionFixture(LocalSlipway slipway) {
        this.slipway = slipway;
        this.runtime = slipway.runtime();
        s3 = slipway.s3();
        ddb = slipway.dynamo();
        LocalNames names = new LocalNames();
        var enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
        ledger = new AuditLedger(enhanced, names.physicalName("AuditTable", SamTemplate.TABLE));
        store = DynamoDbDeployStores.of(enhanced, names.physicalName("ReleasesTable", SamTemplate.TABLE), ledger);
        bucket = names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
    }

    static Map<String, byte[]> site(String headline) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("/index.html", ("<!doctype html><html><body><h1>" + headline + "</h1><script src=\"/assets/app-1a2b3c4d.js\"></script></body></html>\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put("/assets/app-1a2b3c4d.js", "document.querySelector('h1').dataset.ready = 'yes';\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** A STAGED release (created, nothing uploaded) and its create answer. */
    JsonNode stage(String app, Map<String, byte[]> site) throws Exception {
        ObjectNode body = Json.object();
        ObjectNode files = body.putObject("files");
        site.forEach((p, b) -> files.put(p, ReleaseFiles.hex("SHA-256", b)));
        HttpResponse<String> r = api("POST", "/apps/" + app + "/releases", Json.write(body));
        assertEquals(201, r.statusCode(), r.body());
        return Json.parse(r.body());
    }

    /** A READY release serving {@code headline} (uploaded and finalized); returns its id. */
    String ready(String app, String headline) throws Exception {
        Map<String, byte[]> site = site(headline);
        JsonNode created = stage(app, site);
        Map<String, byte[]> bySha = new LinkedHashMap<>();
        site.values().forEach(b -> bySha.put(ReleaseFiles.hex("SHA-256", b), b));
        for (JsonNode u : created.path("uploads")) {
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(u.path("url").asText()))
                    .method(u.path("method").asText(), HttpRequest.BodyPublishers.ofByteArray(bySha.get(u.path("sha256").asText())));
            u.path("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
            HttpResponse<String> r = HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        String id = created.path("releaseId").asText();
        HttpResponse<String> fin = api("POST", "/apps/" + app + "/releases/" + id + "/finalize", null);
        assertEquals(200, fin.statusCode(), fin.body());
        return id;
    }

    /** POST deployments {releaseId} and wait for the end; returns the deployment. */
    JsonNode deploy(String app, String releaseId) throws Exception {
        HttpResponse<String> started = api("POST", "/apps/" + app + "/deployments", "{\"releaseId\":\"" + releaseId + "\"}");
        assertEquals(202, started.statusCode(), started.body());
        JsonNode d = await(app, Json.parse(started.body()).path("deploymentId").asText());
        slipway.edge().awaitPromoted(d);
        return d;
    }

    JsonNode await(String app, String deploymentId) throws Exception {
        return slipway.api().awaitDeployment(app, deploymentId);
    }

    HttpResponse<String> api(String method, String path, String json) throws Exception {
        return slipway.api().json(method, path, json);
    }

    String edge(String hostLabel) throws Exception {
        EdgeClient.Reply r = slipway.edge().site(hostLabel, "/");
        return r.status() + " " + r.text();
    }

    static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("urn:slipway:problem:" + slug, Json.parse(r.body()).path("type").asText(), r.body());
    }
}
