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
}
