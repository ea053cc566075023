package dev.slipway.shared.env;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EnvScopeTest {
    @Test
    void targetsMapToTheirScope() {
        assertEquals(EnvScope.PRODUCTION, EnvScope.ofTarget("production"));
        assertEquals(EnvScope.PREVIEW, EnvScope.ofTarget("preview:feature-x"));
        for (String bad : new String[] {null, "", "Production", "preview", "preview:", "staging", "production:x"}) {
            assertThrows(IllegalArgumentException.class, () -> EnvScope.ofTarget(bad), String.valueOf(bad));
        }
        assertEquals(EnvScope.PREVIEW, EnvScope.of("preview"));
        assertThrows(IllegalArgumentException.class, () -> EnvScope.of("PREVIEW"));
    }

    @Test
    void eachScopeHasItsOwnSsmPathForTheBuild() {
        assertEquals("/slipway/s/apps/shop/production", SsmAppEnvironment.scopePath("/slipway/s/apps", "shop", EnvScope.PRODUCTION));
        assertEquals("/slipway/s/apps/shop/preview", SsmAppEnvironment.scopePath("/slipway/s/apps/", "shop", EnvScope.PREVIEW));
    }
}
