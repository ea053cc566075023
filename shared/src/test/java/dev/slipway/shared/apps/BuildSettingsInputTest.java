package dev.slipway.shared.apps;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class BuildSettingsInputTest {
    @Test
    void outputDirStaysInsideTheRepository() {
        for (String ok : new String[]{"dist", "build", "apps/web/dist", ".", "out_1", ".output/public"}) {
            assertNull(BuildSettingsInput.checkOutputDir(ok), ok);
        }
        for (String bad : new String[]{"../dist", "/dist", "dist/../..", "./dist", "dist/", "a\\b", "", "C:/x", "a//b", "x".repeat(201)}) {
            assertNotNull(BuildSettingsInput.checkOutputDir(bad), bad);
        }
    }

    @Test
    void commandsAreOneLine() {
        assertNull(BuildSettingsInput.checkCommand("npm ci --replace-registry-host=always"));
        assertNotNull(BuildSettingsInput.checkCommand("npm ci\nrm -rf /"));
        assertNotNull(BuildSettingsInput.checkCommand(" "));
        assertNotNull(BuildSettingsInput.checkCommand("x".repeat(501)));
    }

    @Test
    void nodeVersionsAndPackageManagers() {
        for (String ok : new String[]{"20", "22.11", "20.11.1", "lts"}) {
            assertNull(BuildSettingsInput.checkNodeVersion(ok), ok);
        }
        for (String bad : new String[]{"v20", "2", "20.x", "latest", ""}) {
            assertNotNull(BuildSettingsInput.checkNodeVersion(bad), bad);
        }
        assertNull(BuildSettingsInput.checkPackageManager("pnpm"));
        assertNotNull(BuildSettingsInput.checkPackageManager("npx"));
    }
}
