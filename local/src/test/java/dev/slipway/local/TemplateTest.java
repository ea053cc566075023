package dev.slipway.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * template.yaml stays deployable and honest: every handler and file it names is real, every route
 * is served, IAM names its resources, and the data stores are configured as the owner needs.
 */
class TemplateTest {
    private static SamTemplate template;
    private static Path root;

    @BeforeAll
    static void read() {
        root = EmbeddedEngines.repoRoot();
        template = SamTemplate.read(root.resolve("template.yaml"));
    }

    @Test
    void everyHandlerIsARealClassInTheJarItsCodeUriNames() throws Exception {
        assertFalse(template.functions().isEmpty());
        for (SamTemplate.FunctionSpec f : template.functions()) {
            Class<?> type = Class.forName(f.handlerClass());
            LocalFunctions.findHandlerMethod(type, f.handlerMethod());
            type.getConstructor(); // what Lambda calls
            type.getConstructor(Map.class); // what the local runtime calls

            // CodeUri is <module>/target/<jar>; that module's POM must build that jar and hold the class.
            Path codeUri = Path.of(f.codeUri());
            assertEquals("target", codeUri.getParent().getFileName().toString(), f.logicalId() + " CodeUri " + codeUri);
            Path module = root.resolve(codeUri.getParent().getParent());
            String pom = Files.readString(module.resolve("pom.xml"));
            String jarName = codeUri.getFileName().toString().replaceFirst("\\.jar$", "");
            assertTrue(pom.contains("<lambda.jarName>" + jarName + "</lambda.jarName>") && pom.contains("<artifactId>maven-shade-plugin</artifactId>"),
                    module + "/pom.xml does not build " + codeUri.getFileName());
            Path source = module.resolve("src/main/java").resolve(f.handlerClass().replace('.', '/') + ".java");
            assertTrue(Files.isRegularFile(source), f.handler() + " is not in " + module);
        }
    }

    @Test
    void everyDefinitionUriIsAFileOfValidJson() throws Exception {
        for (var e : template.resources().entrySet()) {
            Object uri = SamTemplate.map(e.getValue().get("Properties")).get("DefinitionUri");
            if (uri instanceof String path) {
                Path file = root.resolve(path);
                assertTrue(Files.isRegularFile(file), e.getKey() + " DefinitionUri " + path + " does not exist");
                assertTrue(Json.parse(Files.readString(file)).has("States"), path + " has no States");
            }
        }
    }

    @Test
    void everyRouteIsServedByItsFunctionAndDeclaredOnce() throws Throwable {
        LocalFunctions functions = EmbeddedEngines.get().functions();
        Set<String> keys = new HashSet<>();
        List<SamTemplate.Route> routes = template.routes();
        assertFalse(routes.isEmpty());
        for (SamTemplate.Route r : routes) {
            assertTrue(keys.add(r.routeKey()), "route declared twice: " + r.routeKey());
            APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRouteKey(r.routeKey()).withRawPath(r.path())
                    .withHeaders(Map.of()).withIsBase64Encoded(false).build();
            APIGatewayV2HTTPResponse response = (APIGatewayV2HTTPResponse) functions.invoke(r.functionId(), event);
            String body = response.getBody() == null ? "" : response.getBody();
            assertFalse(body.contains("urn:slipway:problem:route-not-found"),
                    r.functionId() + " does not serve " + r.routeKey() + " although template.yaml routes it there");
        }
    }

    @Test
    void everyEnvironmentValueResolves() {
        Intrinsics intrinsics = new Intrinsics(template, template.parameterDefaults(), new dev.slipway.local.template.LocalNames(), "eu-west-1");
        for (SamTemplate.FunctionSpec f : template.functions()) {
            f.environment().forEach((k, v) -> assertNotNull(intrinsics.resolve(v), f.logicalId() + " " + k));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void policiesNameTheirResources() {
        for (var f : template.resourcesOfType(SamTemplate.FUNCTION).entrySet()) {
            Object policies = SamTemplate.map(f.getValue().get("Properties")).get("Policies");
            if (policies == null) {
                continue;
            }
            for (Object p : (List<Object>) policies) {
                if (p instanceof String managed) {
                    fail(f.getKey() + " attaches managed policy " + managed + "; name resources instead");
                }
                Map<String, Object> policy = SamTemplate.map(p);
                for (Object s : (List<Object>) policy.getOrDefault("Statement", List.of())) {
                    Map<String, Object> st = SamTemplate.map(s);
                    assertNotEquals("*", st.get("Resource"), f.getKey() + " has Resource '*'");
                    assertNotNull(st.get("Resource"), f.getKey() + " statement without Resource");
                    Object actions = st.get("Action");
                    List<Object> list = actions instanceof List<?> l ? (List<Object>) l : List.of(actions);
                    for (Object a : list) {
                        assertFalse(String.valueOf(a).endsWith("*"), f.getKey() + " allows wildcard action " + a);
                    }
                }
            }
        }
    }

    @Test
    void tablesAreOnDemandRecoverableEncryptedAndRetained() {
        var tables = template.resourcesOfType(SamTemplate.TABLE);
        assertFalse(tables.isEmpty());
        tables.forEach((id, t) -> {
            Map<String, Object> p = SamTemplate.map(t.get("Properties"));
            assertEquals("PAY_PER_REQUEST", p.get("BillingMode"), id);
            assertEquals(true, SamTemplate.map(p.get("SSESpecification")).get("SSEEnabled"), id);
            if (id.equals("IdempotencyTable")) {
                // A 24 h cache that expires by TTL: nothing to recover or retain.
                Map<String, Object> ttl = SamTemplate.map(p.get("TimeToLiveSpecification"));
                assertEquals(true, ttl.get("Enabled"), id);
                assertEquals("expiresAt", ttl.get("AttributeName"), id);
                return;
            }
            assertEquals(true, SamTemplate.map(p.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled"), id);
            assertEquals("Retain", t.get("DeletionPolicy"), id);
        });
    }

    /** The router answers Idempotency-Key on every POST, PATCH and DELETE route: each function with one may use the table. */
    @Test
    @SuppressWarnings("unchecked")
    void everyFunctionWithAPostRouteMayUseTheIdempotencyTable() {
        Set<String> withPost = new HashSet<>();
        template.routes().stream().filter(r -> java.util.Set.of("POST", "PATCH", "DELETE").contains(r.method().toUpperCase(java.util.Locale.ROOT))).forEach(r -> withPost.add(r.functionId()));
        assertFalse(withPost.isEmpty());
        for (String fn : withPost) {
            Set<String> actions = new HashSet<>();
            for (Object p : (List<Object>) template.properties(fn).get("Policies")) {
                for (Object st : (List<Object>) SamTemplate.map(p).getOrDefault("Statement", List.of())) {
                    Map<String, Object> s = SamTemplate.map(st);
                    if (String.valueOf(s.get("Resource")).contains("IdempotencyTable")) {
                        Object a = s.get("Action");
                        (a instanceof List<?> l ? l : List.of(a)).forEach(x -> actions.add(String.valueOf(x)));
                    }
                }
            }
            assertEquals(Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"), actions, fn);
        }
    }

    @Test
    void theArtifactsBucketIsPrivateVersionedEncryptedAndTlsOnly() {
        Map<String, Object> p = template.properties("ArtifactsBucket");
        Map<String, Object> bpa = SamTemplate.map(p.get("PublicAccessBlockConfiguration"));
        for (String k : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertEquals(true, bpa.get(k), k);
        }
        assertEquals("Enabled", SamTemplate.map(p.get("VersioningConfiguration")).get("Status"));
        assertNotNull(p.get("BucketEncryption"));
        boolean tlsOnly = template.resourcesOfType("AWS::S3::BucketPolicy").values().stream().anyMatch(bp -> {
            String doc = Json.write(SamTemplate.map(bp.get("Properties")));
            return doc.contains("\"Ref\":\"ArtifactsBucket\"") && doc.contains("aws:SecureTransport") && doc.contains("Deny");
        });
        assertTrue(tlsOnly, "no TLS-only bucket policy for ArtifactsBucket");
    }

    @Test
    void functionsUseSnapStartAndTheApiUrlIsAnOutput() {
        Map<String, Object> globals = SamTemplate.map(SamTemplate.map(template.document().get("Globals")).get("Function"));
        assertEquals("PublishedVersions", SamTemplate.map(globals.get("SnapStart")).get("ApplyOn"));
        assertNotNull(globals.get("AutoPublishAlias"), "SnapStart applies to published versions only");
        assertTrue(SamTemplate.map(template.document().get("Outputs")).containsKey("ApiUrl"));
    }
}
