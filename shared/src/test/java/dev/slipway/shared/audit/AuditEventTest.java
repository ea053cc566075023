package dev.slipway.shared.audit;

import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class AuditEventTest {
    private static final Actor ACTOR = new Actor("admin", "r1", "203.0.113.7");
    private static final Instant T = Instant.parse("2026-11-25T00:00:00Z");

    @Test
    void eventsLinkToTheirPredecessor() {
        AuditEvent first = AuditEvent.next(AuditHead.EMPTY, "shop", T, ACTOR, "app.created", "app/shop", null, Json.object().put("name", "Shop"));
        assertEquals(1, first.seq());
        assertEquals(AuditEvent.GENESIS, first.prevHash());
        assertEquals(first.hash(), first.computeHash());
        AuditEvent second = AuditEvent.next(first.asHead(), "shop", T, ACTOR, "app.updated", "app/shop", null, null);
        assertEquals(2, second.seq());
        assertEquals(first.hash(), second.prevHash());
    }

    @Test
    void everyFieldIsCoveredByTheHash() {
        AuditEvent e = AuditEvent.next(AuditHead.EMPTY, "shop", T, ACTOR, "app.created", "app/shop", null, Json.object().put("name", "Shop"));
        AuditEvent[] variants = {
                new AuditEvent("shoq", e.seq(), e.time(), e.actor(), e.action(), e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), 2, e.time(), e.actor(), e.action(), e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), T.plusMillis(1), e.actor(), e.action(), e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), "mallory", e.action(), e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), "app.deleted", e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), "app/x", e.before(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), e.target(), Json.object(), e.after(), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), e.target(), e.before(), Json.object().put("name", "Shoq"), e.requestId(), e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), e.target(), e.before(), e.after(), "r2", e.sourceIp(), e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), e.target(), e.before(), e.after(), e.requestId(), "198.51.100.1", e.prevHash(), e.hash()),
                new AuditEvent(e.appId(), e.seq(), e.time(), e.actor(), e.action(), e.target(), e.before(), e.after(), e.requestId(), e.sourceIp(), "1".repeat(64), e.hash()),
        };
        for (AuditEvent v : variants) {
            assertNotEquals(e.hash(), v.computeHash(), v.toString());
        }
    }
}
