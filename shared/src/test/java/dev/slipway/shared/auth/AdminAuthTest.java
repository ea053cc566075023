package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminAuthTest {
    private static final String TOKEN = AdminTokens.generate();
    private final AdminAuth auth = new AdminAuth(() -> AdminTokens.sha256Hex(TOKEN));

    /** The Authorization header as the router hands it over: null when the request has none. */
    private static String withAuthorization(String value) {
        return value;
    }

    @Test
    void theCallerIsDerivedFromTheVerifiedTokenSoAnotherTokenIsAnotherCaller() {
        String other = AdminTokens.generate();
        String[] expected = {AdminTokens.sha256Hex(TOKEN)};
        AdminAuth rotating = new AdminAuth(() -> expected[0]);
        String first = rotating.require(withAuthorization("Bearer " + TOKEN));
        assertEquals(first, rotating.require(withAuthorization("bearer " + TOKEN)));
        expected[0] = AdminTokens.sha256Hex(other);
        String second = rotating.require(withAuthorization("Bearer " + other));
        assertTrue(first.startsWith("admin:") && second.startsWith("admin:"));
        assertTrue(!first.equals(second));
        assertTrue(!first.contains(AdminTokens.sha256Hex(TOKEN)), "the caller id does not reveal the token's hash");
    }

    @Test
    void theTokenOpensTheDoor() {
        assertDoesNotThrow(() -> auth.require(withAuthorization("Bearer " + TOKEN)));
        assertDoesNotThrow(() -> auth.require(withAuthorization("bearer " + TOKEN)));
    }

    @Test
    void anythingElseIs401() {
        for (String h : new String[]{null, "", "Bearer", "Bearer ", "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN + "x",
                "Bearer " + TOKEN.substring(1), "Bearer a b", "Bearer " + "x".repeat(10_000)}) {
            DomainException p = assertThrows(DomainException.class, () -> auth.require(withAuthorization(h)), String.valueOf(h));
            assertEquals(DomainError.UNAUTHORIZED, p.error());
            assertTrue(!p.detail().contains(TOKEN.substring(4, 20)), "never echo the token");
        }
    }

    /** Regression: the header was trimmed, so a control character (or spaces) around the token still opened the door. */
    @Test
    void onlyTheExactTokenOpensTheDoor() {
        for (String h : new String[]{"Bearer " + TOKEN + "\u0001", "Bearer " + TOKEN + "\u0000", "Bearer " + TOKEN + "\u001f",
                "Bearer " + TOKEN + " ", "Bearer " + TOKEN + "\t", "Bearer " + TOKEN + "\r\n", "Bearer \u0001" + TOKEN,
                "Bearer  " + TOKEN, " Bearer " + TOKEN, "\u0001Bearer " + TOKEN, "Bearer\t" + TOKEN, "Bearer " + TOKEN + "\u007f",
                "Bearer " + TOKEN + "\u00a0"}) {
            DomainException p = assertThrows(DomainException.class, () -> auth.require(withAuthorization(h)), h.replaceAll("\\p{Cntrl}", "?"));
            assertEquals(DomainError.UNAUTHORIZED, p.error());
            assertTrue(!p.detail().contains(TOKEN.substring(4, 20)), "never echo the token");
        }
        assertDoesNotThrow(() -> auth.require(withAuthorization("BEARER " + TOKEN)));
    }

    @Test
    void tokensAreLongRandomAndRecognisable() {
        String a = AdminTokens.generate();
        assertTrue(a.startsWith("slw_"));
        assertTrue(a.length() >= 40);
        assertTrue(!a.equals(AdminTokens.generate()));
        assertEquals(64, AdminTokens.sha256Hex(a).length());
    }

    @Test
    void theParameterIsReadOnceThenCachedForFiveMinutes() {
        AtomicInteger loads = new AtomicInteger();
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        AdminTokenHashSource source = new AdminTokenHashSource(() -> "hash" + loads.incrementAndGet(), clock);
        assertEquals("hash1", source.get());
        now[0] = now[0].plus(Duration.ofMinutes(4));
        assertEquals("hash1", source.get());
        now[0] = now[0].plus(Duration.ofMinutes(2));
        assertEquals("hash2", source.get());
    }
}
