package dev.slipway.local.console;

import dev.slipway.local.EmbeddedEngines;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's folder import decides in the browser what to leave out; its rules are JavaScript, tested on node's own
 * runner against a real `git ls-files` of the same tree (console/test/). This runs them as part of the build.
 */
class ConsoleFolderRulesTest {
    @Test
    void theFolderImportLeavesOutWhatGitWould() throws Exception {
        Path root = EmbeddedEngines.repoRoot();
        // console/node_modules is installed by functions/apps' build (npm ci), which runs before this module
        assertTrue(Files.isDirectory(root.resolve("console/node_modules/ignore")), "console/node_modules: run mvn package first");
        Process p = new ProcessBuilder("node", "--test", "console/test/")
                .directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node --test did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("# fail 0") && !out.contains("# pass 0"), out);
    }
}
