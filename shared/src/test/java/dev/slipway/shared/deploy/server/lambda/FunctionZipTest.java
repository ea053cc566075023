package dev.slipway.shared.deploy.server.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The function's code is the bundle as built, plus the adapter, and it runs: unzipped, node serves through it. */
class FunctionZipTest {
    private static final String SERVER = """
            import http from 'node:http';
            http.createServer((req, res) => {
                res.setHeader('content-type', 'text/html');
                res.end('<h1>rendered by ' + process.env.GREETING + ' at ' + req.url + '</h1>');
            }).listen(Number(process.env.PORT), process.env.HOSTNAME);
            """;

    @TempDir
    Path dir;

    private static byte[] zip(Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void theFunctionHoldsTheBundleTheAdapterAndItsEntry() throws Exception {
        byte[] bundle = zip(Map.of("server/index.mjs", SERVER, "node_modules/dep/index.js", "module.exports = 1;",
                FunctionZip.ADAPTER, "// a bundle's own file of that name loses"));
        ServerBundle server = new ServerBundle("node", 22, "server/index.mjs", sha256(bundle), bundle.length, 100);
        Path out = dir.resolve("function.zip");
        FunctionZip.build(new ByteArrayInputStream(bundle), server, dir, out);
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipFile z = new ZipFile(out.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        assertEquals(java.util.Set.of("server/index.mjs", "node_modules/dep/index.js", FunctionZip.ADAPTER, FunctionZip.CONFIG), entries.keySet());
        assertArrayEquals(FunctionZip.adapterSource(), entries.get(FunctionZip.ADAPTER));
        JsonNode config = Json.parse(new String(entries.get(FunctionZip.CONFIG), StandardCharsets.UTF_8));
        assertEquals("server/index.mjs", config.get("entry").asText());
        assertEquals("node", config.get("framework").asText());
        assertEquals(1, Files.list(dir).count(), "only the function zip is left behind");
    }

    @Test
    void aBundleThatChangedAfterItsBuildNeverRuns() throws Exception {
        byte[] bundle = zip(Map.of("server.js", SERVER));
        ServerBundle server = new ServerBundle("node", 22, "server.js", sha256("other".getBytes()), bundle.length, 100);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FunctionZip.build(new ByteArrayInputStream(bundle), server, dir, dir.resolve("f.zip")));
        assertTrue(e.getMessage().contains("changed after its build"), e.getMessage());
    }

    /** Unzipped as Lambda does, the adapter starts the entry and answers an edge request through it. */
    @Test
    void theUnzippedFunctionServesThroughTheAdapter() throws Exception {
        byte[] bundle = zip(Map.of("server.mjs", SERVER));
        ServerBundle server = new ServerBundle("node", 22, "server.mjs", sha256(bundle), bundle.length, 100);
        Path out = dir.resolve("function.zip");
        FunctionZip.build(new ByteArrayInputStream(bundle), server, dir, out);
        Path task = Files.createDirectory(dir.resolve("task"));
        try (ZipFile z = new ZipFile(out.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                Path target = task.resolve(e.getName());
                Files.createDirectories(target.getParent());
                try (InputStream in = z.getInputStream(e)) {
                    Files.copy(in, target);
                }
            }
        }
        int port = 19000 + (int) (ProcessHandle.current().pid() % 900);
        String harness = """
                import { PassThrough } from 'node:stream';
                globalThis.awslambda = { streamifyResponse: (f) => f,
                    HttpResponseStream: { from: (s, meta) => { s.meta = meta; return s; } } };
                const { createHandler } = await import('./slipway-lambda-adapter.mjs');
                const h = createHandler({ root: process.cwd(), secret: 'x'.repeat(43), port: %d,
                    loadVariables: async (scope) => ({ GREETING: scope + ' values' }) });
                const s = new PassThrough(); let body = '';
                s.on('data', (c) => body += c);
                const ended = new Promise((r) => s.on('end', r));
                await h({ rawPath: '/hello', rawQueryString: '', headers: { 'x-slipway-origin': 'x'.repeat(43) },
                    requestContext: { http: { method: 'GET' } } }, s,
                    { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:slipway-app-shop:production-01jxa7m2q3r4s5t6v7w8x9yz0a' });
                await ended;
                console.log(s.meta.statusCode + ' ' + body);
                h.stop();
                """.formatted(port);
        Files.writeString(task.resolve("harness.mjs"), harness);
        Process p = new ProcessBuilder("node", "harness.mjs").directory(task.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals("200 <h1>rendered by production values at /hello</h1>", output);
        assertFalse(output.contains("Error"));
    }
}
