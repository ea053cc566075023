package dev.slipway.shared.env;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EnvScopeTest {
    @Test
    void scopesAreReadExactly() {
        assertEquals(EnvScope.PREVIEW, EnvScope.of("preview"));
        assertThrows(IllegalArgumentException.class, () -> EnvScope.of("PREVIEW"));
    }

    @Test
    void eachScopeHasItsOwnSsmPathForTheBuild() {
        assertEquals("/slipway/s/apps/shop/production", SsmAppEnvironment.scopePath("/slipway/s/apps", "shop", EnvScope.PRODUCTION));
        assertEquals("/slipway/s/apps/shop/preview", SsmAppEnvironment.scopePath("/slipway/s/apps/", "shop", EnvScope.PREVIEW));
    }
}
