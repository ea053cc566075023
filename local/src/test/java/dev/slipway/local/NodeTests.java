package dev.slipway.local;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JavaScript tests on node's own runner, run from the Slipway folder as part of the build. */
public final class NodeTests {
    private NodeTests() {
    }

    /** Runs {@code node --test <folder>} and requires it to pass at least one test and fail none. */
    public static void assertPass(String folder) throws Exception {
        Process p = new ProcessBuilder("node", "--test", folder)
                .directory(EmbeddedEngines.repoRoot().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node --test " + folder + " did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("# fail 0") && !out.contains("# pass 0"), out);
    }
}
