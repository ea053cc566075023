package dev.slipway.local.console;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.NodeTests;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's folder import decides in the browser what to leave out; its rules are JavaScript, tested on node's own
 * runner against a real `git ls-files` of the same tree (console/test/). This runs them as part of the build.
 */
class ConsoleFolderRulesTest {
    @Test
    void theFolderImportLeavesOutWhatGitWould() throws Exception {
        // console/node_modules is installed by functions/apps' build (npm ci), which runs before this module
        assertTrue(Files.isDirectory(EmbeddedEngines.repoRoot().resolve("console/node_modules/ignore")), "console/node_modules: run mvn package first");
        NodeTests.assertPass("console/test/");
    }
}
