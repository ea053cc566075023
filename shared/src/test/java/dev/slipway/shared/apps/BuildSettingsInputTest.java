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

    @Test
    void registriesAreRegistryUrlsWithoutCredentials() {
        for (String ok : new String[]{"https://registry.npmjs.org/", "https://registry.npmjs.org",
                "https://acme-123456789012.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/", "http://10.0.0.5:4873/"}) {
            assertNull(BuildSettingsInput.checkRegistry(ok), ok);
        }
        for (String bad : new String[]{"registry.npmjs.org", "ftp://registry.npmjs.org/", "https://user:pw@registry.example/",
                "https://registry.example/?token=x", "https://registry.example/#x", "https://reg istry.example/",
                "https://registry.example/$(touch x)", "https://" + "a".repeat(300) + ".example/", ""}) {
            assertNotNull(BuildSettingsInput.checkRegistry(bad), bad);
        }
    }
}
