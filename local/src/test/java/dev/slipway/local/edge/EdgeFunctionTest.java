package dev.slipway.local.edge;

import dev.slipway.local.EmbeddedEngines;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CloudFront Function (functions/edge/viewer-request.js) is JavaScript: its tests run on node's
 * own test runner. This runs them as part of the build, so `mvn verify` covers the AWS edge too
 * (including that template.yaml inlines exactly that file).
 */
class EdgeFunctionTest {
    @Test
    void theViewerRequestFunctionPassesItsNodeTests() throws Exception {
        Path root = EmbeddedEngines.repoRoot();
        Process p = new ProcessBuilder("node", "--test", "functions/edge/")
                .directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node --test did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("# fail 0") && !out.contains("# pass 0"), out);
    }
}
