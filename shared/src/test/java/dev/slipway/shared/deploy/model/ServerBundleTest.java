package dev.slipway.shared.deploy.model;

import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerBundleTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @Test
    void entriesAreRelativePathsToAJsFileInsideTheBundle() {
        for (String ok : new String[]{"server.js", ".output/server/index.mjs", "build/server/index.js", "dist/main.cjs",
                "apps/web/server.js", "node_modules/@scope/pkg/x.js"}) {
            assertTrue(ServerBundle.isSafeEntry(ok), ok);
        }
        for (String bad : new String[]{null, "", "/server.js", "../server.js", "a/../../b.js", "./server.js", "a//b.js",
                "server.sh", "a\\\\b.js", "server.js\\u0000", "a b.js", "dir/"}) {
            assertFalse(ServerBundle.isSafeEntry(bad), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new ServerBundle("next", 20, "../x.js", SHA, 1, 1));
    }

    @Test
    void theFrameworkNodeMajorAndHashAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ServerBundle("django", 20, "server.js", SHA, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ServerBundle("next", 12, "server.js", SHA, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ServerBundle("next", 20, "server.js", SHA.toUpperCase(), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ServerBundle("next", 20, "server.js", SHA, 0, 1));
    }

    @Test
    void theKeyAndLimitAreWhatTheAwsSideExpects() {
        assertEquals("servers/shop/01j0000000000000000000000a/bundle.zip", ServerBundle.key("shop", "01j0000000000000000000000a"));
        assertEquals(262_144_000L - 2_097_152L, ServerBundle.MAX_UNZIPPED_BYTES);
    }

    @Test
    void aReleaseCarriesItsBundleThroughJsonAndStatusChanges() {
        ServerBundle b = new ServerBundle(ServerBundle.NITRO, 22, ".output/server/index.mjs", SHA, 10, 20);
        Release r = new Release("shop", "01j0000000000000000000000a", "c", "t", "k", "build", ReleaseStatus.STAGED, 0, 0,
                Instant.EPOCH, null, "d").withServer(b);
        Release back = Json.MAPPER.convertValue(Json.parse(Json.write(r.ready(1, 2, Instant.EPOCH))), Release.class);
        assertEquals(b, back.server());
        assertEquals(b, back.withStatus(ReleaseStatus.RETIRING).failed().server());
        Release staticOne = Json.MAPPER.convertValue(Json.parse(Json.write(r.withServer(null))), Release.class);
        assertEquals(null, staticOne.server());
        assertFalse(Json.write(r.withServer(null)).contains("server"), "a static release's JSON has no server");
    }
}
