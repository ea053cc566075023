package dev.slipway.shared.deploy.routing;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same cases as functions/edge/viewer-request.test.mjs: the local edge must route like CloudFront. */
class SiteAddressTest {
    private static final String REL = "01jxa7m2q3r4s5t6v7w8x9yz0a";

    @Test
    void productionReleaseAndPreviewHosts() {
        assertEquals(new SiteAddress.Target("shop", "shop", null), SiteAddress.parseHost("Shop.apps.example.com:443").orElseThrow());
        assertEquals(new SiteAddress.Target("shop", null, REL), SiteAddress.parseHost(REL + "--shop.localhost:8080").orElseThrow());
        assertEquals(new SiteAddress.Target("shop", "feature-x--shop", null), SiteAddress.parseHost("feature-x--shop.localhost").orElseThrow());
        // 'u' is not Crockford base32: a preview name, not a release
        assertEquals("01jxa7m2q3r4s5t6v7w8x9yz0u--shop",
                SiteAddress.parseHost("01jxa7m2q3r4s5t6v7w8x9yz0u--shop.x").orElseThrow().routerKey());
    }

    @Test
    void malformedHosts() {
        for (String host : new String[] {null, "", "a.example.com", "1shop.example.com", "shop-.example.com", "sh_op.example.com",
                "a--b--shop.example.com", "--shop.example.com", "x--.example.com", "x--sh--op.example.com",
                "feature_x--shop.example.com", "-x--shop.example.com"}) {
            assertTrue(SiteAddress.parseHost(host).isEmpty(), String.valueOf(host));
        }
    }

    @Test
    void routerKeys() {
        assertTrue(SiteAddress.isRouterKey("shop"));
        assertTrue(SiteAddress.isRouterKey("feature-x--shop"));
        assertFalse(SiteAddress.isRouterKey(REL + "--shop"));
        assertFalse(SiteAddress.isRouterKey("Shop"));
        assertFalse(SiteAddress.isRouterKey("shop.example.com"));
        assertFalse(SiteAddress.isRouterKey("shop:80"));
    }

    @Test
    void spaFallbackAndAssets() {
        for (String p : List.of("/", "/products/42", "/products/", "/index", "/v1.2/page")) {
            assertEquals(Optional.of("/index.html"), SiteAddress.releasePath(p), p);
        }
        assertEquals(Optional.of("/assets/index-4f3a9c1b.js"), SiteAddress.releasePath("/assets/index-4f3a9c1b.js"));
        assertEquals(Optional.of("/v1.2/logo.svg"), SiteAddress.releasePath("/v1.2/logo.svg"));
        assertEquals(Optional.of("/a b+c.txt"), SiteAddress.releasePath("/a%20b+c.txt"));
        assertEquals(Optional.of("/caf\u00e9.png"), SiteAddress.releasePath("/caf%C3%A9.png"));
    }

    @Test
    void traversalIsRejected() {
        for (String p : List.of("/../other/x/index.html", "/assets/../../x.js", "/%2e%2e/x.js", "/%2E%2E/%2e%2e/secret.txt",
                "/a/..%2f..%2fsecret.js", "/a/%2e%2e%2f%2e%2e%2fsecret.js", "/./x.js", "/a\\..\\b.js", "/a/%5c..%5cb.js",
                "/bad%zzescape.js", "/x%00.js", "/x%c3.js", "/trail%2", "relative.js")) {
            assertTrue(SiteAddress.releasePath(p).isEmpty(), p);
        }
    }

    @Test
    void objectKey() {
        assertEquals("sites/shop/" + REL + "/index.html", SiteAddress.objectKey("shop", REL, "/index.html"));
    }
}
