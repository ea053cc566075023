package dev.slipway.local;

import dev.slipway.local.imports.Exports;
import dev.slipway.local.template.SamTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jars template.yaml's CodeUri names are what Lambda runs: each is started here in its own
 * JVM with only that jar on the classpath, against the embedded engines, so a class missing from a
 * jar (a shading or exclusion mistake) fails the build rather than a deploy.
 */
class DeployableJarTest {
    @TempDir
    static Path work;
    private static EmbeddedEngines engines;

    @BeforeAll
    static void compileLauncher() throws Exception {
        engines = EmbeddedEngines.get();
        Path source = work.resolve("JarLauncher.java");
        try (var in = DeployableJarTest.class.getResourceAsStream("/jarcheck/JarLauncher.java")) {
            Files.copy(in, source);
        }
        Path jar = jar("AppsFunction");
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-cp", jar.toString(), "-d", work.toString(), source.toString());
        assertEquals(0, rc, "JarLauncher compiles against " + jar);
    }

    private static Path jar(String functionId) {
        SamTemplate.FunctionSpec f = engines.template.functions().stream()
                .filter(s -> s.logicalId().equals(functionId)).findFirst().orElseThrow();
        Path jar = EmbeddedEngines.repoRoot().resolve(f.codeUri());
        assertTrue(Files.isRegularFile(jar), jar + " is built by `mvn package` before local's tests run");
        return jar;
    }

    private static String task(String functionId, Map<String, Object> input) throws Exception {
        return launch(functionId, Map.of("env", new HashMap<>(engines.environment(functionId)), "task", new HashMap<>(input)));
    }

    private static String run(String functionId, String routeKey, Map<String, String> headers,
                              Map<String, String> pathParameters, String body, boolean base64) throws Exception {
        Map<String, Object> in = new HashMap<>();
        in.put("env", new HashMap<>(engines.environment(functionId)));
        in.put("routeKey", routeKey);
        Map<String, String> h = new HashMap<>(headers);
        h.put("authorization", "Bearer " + EmbeddedEngines.EVENT_TOKEN);
        in.put("headers", h);
        in.put("pathParameters", pathParameters == null ? null : new HashMap<>(pathParameters));
        in.put("body", body);
        in.put("base64", base64);
        return launch(functionId, in);
    }

    private static String launch(String functionId, Map<String, Object> in) throws Exception {
        SamTemplate.FunctionSpec f = engines.template.functions().stream()
                .filter(s -> s.logicalId().equals(functionId)).findFirst().orElseThrow();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar(functionId) + java.io.File.pathSeparator + work, "JarLauncher", f.handlerClass())
                .redirectErrorStream(true).start();
        try (OutputStream out = p.getOutputStream(); ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(new HashMap<>(in));
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        p.getInputStream().transferTo(output);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), functionId + " did not finish");
        String text = output.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        int at = text.lastIndexOf("RESULT ");
        assertTrue(at >= 0, text);
        return text.substring(at + "RESULT ".length()).trim();
    }

    @Test
    void eachJarRunsItsHandlersAlone() throws Exception {
        String app = "jar-" + System.nanoTime() % 1_000_000;
        String created = run("AppsFunction", "POST /apps", Map.of("content-type", "application/json"), null,
                "{\"id\":\"" + app + "\",\"name\":\"Jar Shop\"}", false);
        assertTrue(created.startsWith("201 "), created);

        String imported = run("ImportsFunction", "POST /apps/{appId}/imports", Map.of("content-type", "application/zip"),
                Map.of("appId", app), Base64.getEncoder().encodeToString(Exports.zip("", Exports.lovable("jar"))), true);
        assertTrue(imported.startsWith("201 "), imported);

        String history = run("CommitsFunction", "GET /apps/{appId}/commits", Map.of(), Map.of("appId", app), null, false);
        assertTrue(history.startsWith("200 ") && history.contains("\"sha\""), history);

        // The audit handlers share the apps jar, which carries S3 for the export.
        String audit = run("AuditFunction", "GET /apps/{appId}/audit/verify", Map.of(), Map.of("appId", app), null, false);
        assertTrue(audit.startsWith("200 ") && audit.contains("\"valid\":true"), audit);
        String exported = run("AuditFunction", "POST /apps/{appId}/audit/export", Map.of(), Map.of("appId", app), null, false);
        assertTrue(exported.startsWith("200 ") && exported.contains("\"exportedSeq\":2"), exported);

        String health = run("HealthFunction", "GET /health", Map.of(), null, null, false);
        assertTrue(health.startsWith("200 "), health);

        // The data jar (pgjdbc) answers alone: no database is linked yet.
        String database = run("DatabaseFunction", "GET /apps/{appId}/database", Map.of(), Map.of("appId", app), null, false);
        assertTrue(database.startsWith("404 ") && database.contains("database-not-linked"), database);

        String deployments = run("DeploymentsFunction", "GET /apps/{appId}/deployments", Map.of(), Map.of("appId", app), null, false);
        assertTrue(deployments.startsWith("200 ") && deployments.contains("\"deployments\":[]"), deployments);

        // The deploy steps' jar (JGit, S3, the CRT signer for the edge's KeyValueStore) runs a task alone.
        String failed = task("DeployStepsFunction", Map.of("step", "MarkFailed", "appId", app, "deploymentId", "01kawz3q9mqd1w6m0t0d5y2x8h",
                "error", Map.of("Error", "States.TaskFailed", "Cause", "boom")));
        assertTrue(failed.contains("status=FAILED"), failed);
    }
}
