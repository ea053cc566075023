package dev.slipway.local.imports;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.http.ProblemTable;
import dev.slipway.functions.apps.AppsHandler;
import dev.slipway.functions.imports.ImportsHandler;
import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.gateway.LocalLambdaContext;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.imports.tree.HostileArchives;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-archive corpus through the real import handler on the real engines: each archive
 * gets its own 4xx problem type, and afterwards the app has no git object, pack, ref, upload,
 * secret or audit event from it, and the import temp folder is empty.
 */
class HostileImportsTest {
    private static EmbeddedEngines engines;
    private static AppsHandler apps;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Map<ImportLimits, ImportsHandler> HANDLERS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        engines = EmbeddedEngines.get();
        apps = new AppsHandler(engines.environment("AppsFunction"));
    }

    static Stream<HostileArchives.Case> corpus() {
        List<HostileArchives.Case> all = HostileArchives.all();
        assertTrue(all.size() >= 20, "corpus has " + all.size() + " cases");
        return all.stream();
    }

    private static synchronized ImportsHandler handler(ImportLimits limits) {
        return HANDLERS.computeIfAbsent(limits, l -> {
            Map<String, String> env = new HashMap<>(engines.environment("ImportsFunction"));
            env.put(EnvNames.IMPORT_MAX_ENTRIES, Integer.toString(l.maxEntries()));
            env.put(EnvNames.IMPORT_MAX_TOTAL_BYTES, Long.toString(l.maxTotalBytes()));
            env.put(EnvNames.IMPORT_MAX_FILE_BYTES, Long.toString(l.maxFileBytes()));
            return new ImportsHandler(env);
        });
    }

    static APIGatewayV2HTTPEvent event(String routeKey, String path, Map<String, String> params, byte[] body,
                                       String contentType) {
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setVersion("2.0");
        e.setRouteKey(routeKey);
        e.setRawPath(path);
        e.setPathParameters(params);
        Map<String, String> headers = new HashMap<>();
        headers.put("authorization", "Bearer " + EmbeddedEngines.EVENT_TOKEN);
        headers.put("content-type", contentType);
        e.setHeaders(headers);
        e.setBody(Base64.getEncoder().encodeToString(body));
        e.setIsBase64Encoded(true);
        APIGatewayV2HTTPEvent.RequestContext rc = new APIGatewayV2HTTPEvent.RequestContext();
        rc.setRequestId("hostile-" + SEQ.incrementAndGet());
        rc.setRouteKey(routeKey);
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(routeKey.substring(0, routeKey.indexOf(' ')));
        http.setPath(path);
        http.setSourceIp("203.0.113.9");
        rc.setHttp(http);
        e.setRequestContext(rc);
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachHostileArchiveIsRefusedWithItsOwnProblemAndLeavesNothing(HostileArchives.Case c) throws Exception {
        String app = "hostile-" + SEQ.incrementAndGet();
        APIGatewayV2HTTPResponse created = apps.handleRequest(event("POST /apps", "/apps", Map.of(),
                Json.write(Map.of("name", app)).getBytes(), "application/json"), new LocalLambdaContext("hostile", "AppsFunction", 1024, 29));
        assertEquals(201, created.getStatusCode(), created.getBody());

        APIGatewayV2HTTPResponse r = handler(c.limits()).handleRequest(event("POST /apps/{appId}/imports",
                "/apps/" + app + "/imports", Map.of("appId", app), c.zip(), "application/zip"),
                new LocalLambdaContext("hostile", "ImportsFunction", 2048, 29));

        assertEquals(ProblemTable.typeOf(c.expected()).status(), r.getStatusCode(), c.name() + ": " + r.getBody());
        assertTrue(r.getStatusCode() >= 400 && r.getStatusCode() < 500);
        assertEquals("application/problem+json", r.getHeaders().get("content-type"));
        assertEquals(ProblemTable.typeOf(c.expected()).uri(), Json.parse(r.getBody()).path("type").asText(), c.name() + ": " + r.getBody());

        // Nothing written: no ref or pack item, no object under git/ or uploads/, no secret, one audit event (app.created).
        int gitItems = engines.dynamoClient.query(q -> q.tableName(engines.tableName("GitTable"))
                .keyConditionExpression("repo = :r").expressionAttributeValues(Map.of(":r", AttributeValue.fromS(app)))).count();
        assertEquals(0, gitItems, "git table items");
        for (String prefix : List.of("git/" + app + "/", "uploads/" + app + "/")) {
            assertEquals(0, engines.s3Client.listObjectsV2(l -> l.bucket(engines.bucketName("ArtifactsBucket")).prefix(prefix))
                    .contents().size(), prefix);
        }
        int events = engines.dynamoClient.query(q -> q.tableName(engines.tableName("AuditTable"))
                .keyConditionExpression("appId = :a AND seq > :z")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS(app), ":z", AttributeValue.fromN("0")))).count();
        assertEquals(1, events, "audit events");
        assertTrue(!Files.exists(engines.dataDir.resolve("secrets").resolve(app + ".env.enc")), "no secrets stored");
        Path tmp = engines.dataDir.resolve("tmp");
        if (Files.exists(tmp)) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "import temp folder");
            }
        }
    }
}
