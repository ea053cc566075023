package dev.slipway.shared.imports.detect;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NodeRangeTest {
    /** The majors among 16..24 that {@code range} allows, e.g. "18 20". */
    private static String majors(String range) {
        List<long[]> r = NodeRange.parse(range);
        if (r == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int m = 16; m <= 24; m++) {
            if (NodeRange.allowsMajor(r, m)) {
                b.append(b.isEmpty() ? "" : " ").append(m);
            }
        }
        return b.toString();
    }

    @Test
    void commonRanges() {
        assertEquals("18 19 20 21 22 23 24", majors(">=18"));
        assertEquals("18 19 20 21 22 23 24", majors(">= 18.0.0"));
        assertEquals("19 20 21 22 23 24", majors(">18"));
        assertEquals("18 19 20 21 22 23 24", majors(">18.0")); // >18.0 means >=18.1.0
        assertEquals("20", majors("^20.11"));
        assertEquals("20", majors("~20.11.1"));
        assertEquals("20", majors("20.x"));
        assertEquals("20", majors("v20"));
        assertEquals("20", majors("20.11.1"));
        assertEquals("18 20", majors("18 || 20"));
        assertEquals("18 19 20", majors("18 - 20"));
        assertEquals("16 17", majors(">=16 <18"));
        assertEquals("16 17 18", majors("<=18"));
        assertEquals("16 17 18 19 20 21 22 23 24", majors("*"));
        assertEquals("16 17 18 19 20 21 22 23 24", majors(""));
        assertEquals("20 21", majors(">=20.0.0-rc.1 <22"));
        assertEquals("", majors(">=22 <20"));
    }

    @Test
    void unreadableRanges() {
        assertNull(NodeRange.parse("latest"));
        assertNull(NodeRange.parse(">=18 foo"));
        assertNull(NodeRange.parse(null));
        assertNull(NodeRange.parse("1".repeat(300)));
        assertNull(NodeRange.parse(">=99999999"));
    }
}
