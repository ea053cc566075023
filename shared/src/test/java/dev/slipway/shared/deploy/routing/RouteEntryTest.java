package dev.slipway.shared.deploy.routing;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteEntryTest {
    private static final String REL = "01jxa7m2q3r4s5t6v7w8x9yz0a";
    private static final String TOKEN = "Vq3x0Zb7m2Kp9sT4wYc1nLr8dF6gHj5aQe2uBo0iXkM"; // 43 chars, base64url
    private static final String HASH = RouteEntry.sha256Hex(TOKEN);

    @Test
    void encodesPublicAsTheBareReleaseIdAndProtectedWithItsHash() {
        assertEquals(REL, RouteEntry.of(REL).encode());
        assertEquals(REL + ":" + HASH, new RouteEntry(REL, HASH).encode());
        assertEquals(Optional.of(RouteEntry.of(REL)), RouteEntry.decode(REL));
        assertEquals(Optional.of(new RouteEntry(REL, HASH)), RouteEntry.decode(REL + ":" + HASH));
    }

    @Test
    void decodeRefusesWhatEncodeNeverMakes() {
        for (String bad : new String[]{null, "", "x", REL.toUpperCase(), REL + ":", REL + ":" + HASH.toUpperCase(),
                REL + ":" + HASH + "0", REL + ":" + HASH + ":" + HASH, ":" + HASH, REL + " "}) {
            assertEquals(Optional.empty(), RouteEntry.decode(bad), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new RouteEntry("nope", null));
        assertThrows(IllegalArgumentException.class, () -> new RouteEntry(REL, "abc"));
    }

    @Test
    void admitsOnlyTheTokenWhoseHashItHolds() {
        RouteEntry e = new RouteEntry(REL, HASH);
        assertTrue(e.isProtected());
        assertTrue(e.admits(TOKEN));
        assertFalse(e.admits(TOKEN + "x"));
        assertFalse(e.admits(HASH), "the hash itself is not the token");
        assertFalse(e.admits(""));
        assertFalse(e.admits(null));
        assertTrue(RouteEntry.of(REL).admits(null), "public");
        assertEquals(64, HASH.length());
        assertFalse(e.toString().contains(HASH));
    }

    @Test
    void sha256HexIsTheKnownDigest() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", RouteEntry.sha256Hex("abc"));
    }

    private static final String FN_HOST = "abcdefghijklmnop.lambda-url.eu-west-1.on.aws";
    private static final String ORIGIN_SECRET = "c2VjcmV0LW9yaWdpbi1rZXktZm9yLXRlc3RzLW9ubHk";

    @Test
    void aServerRouteFollowsTheEntryAndRoundTrips() {
        ServerRoute route = new ServerRoute("next", FN_HOST, ORIGIN_SECRET);
        RouteEntry pub = RouteEntry.of(REL).withServer(route);
        assertEquals(REL + ";next;" + FN_HOST + ";" + ORIGIN_SECRET, pub.encode());
        assertEquals(pub, RouteEntry.decode(pub.encode()).orElseThrow());
        RouteEntry prot = new RouteEntry(REL, HASH, route);
        assertEquals(REL + ":" + HASH + ";next;" + FN_HOST + ";" + ORIGIN_SECRET, prot.encode());
        assertEquals(prot, RouteEntry.decode(prot.encode()).orElseThrow());
        assertFalse(pub.toString().contains(ORIGIN_SECRET), "logs never show the origin secret");
    }

    @Test
    void malformedServerRoutesDecodeToNothing() {
        for (String bad : new String[]{REL + ";next;" + FN_HOST, REL + ";php;" + FN_HOST + ";" + ORIGIN_SECRET,
                REL + ";next;evil.example.com/x;" + ORIGIN_SECRET, REL + ";next;" + FN_HOST + ";short",
                REL + ";next;" + FN_HOST + ";" + ORIGIN_SECRET + ";x", REL + ";"}) {
            assertTrue(RouteEntry.decode(bad).isEmpty(), bad);
        }
    }

    @Test
    void releaseHostsTakeOnlyTheirOwnReleasesServerRoute() {
        ServerRoute route = new ServerRoute("node", FN_HOST, ORIGIN_SECRET);
        Router.checkEntry(REL + "--shop", RouteEntry.of(REL).withServer(route));
        assertThrows(IllegalArgumentException.class, () -> Router.checkEntry(REL + "--shop", RouteEntry.of(REL)));
        String other = "01jxb000000000000000000000";
        assertThrows(IllegalArgumentException.class, () -> Router.checkEntry(other + "--shop", RouteEntry.of(REL).withServer(route)));
        Router.checkEntry("shop", RouteEntry.of(REL).withServer(route));
        Router.checkRemoval(REL + "--shop");
        assertThrows(IllegalArgumentException.class, () -> Router.checkRemoval("Not A Label"));
    }

    /** functions/edge/viewer-request.js decides S3 or server with the same prefix table. */
    @Test
    void theEdgeFunctionHoldsTheSameStaticPrefixTable() throws Exception {
        String js = java.nio.file.Files.readString(java.nio.file.Path.of("../functions/edge/viewer-request.js"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("const STATIC_PREFIXES = (\\{.*\\});").matcher(js);
        assertTrue(m.find(), "STATIC_PREFIXES in viewer-request.js");
        var table = new com.fasterxml.jackson.databind.ObjectMapper().readValue(m.group(1).replace('\'', '"'),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, java.util.List<String>>>() { });
        assertEquals(ServerRoute.staticPrefixTable(), table);
    }
}
