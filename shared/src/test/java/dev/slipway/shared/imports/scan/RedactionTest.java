package dev.slipway.shared.imports.scan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class RedactionTest {
    @Test
    void shortValuesAreMaskedCompletely() {
        assertEquals("…", Redaction.redact(""));
        assertEquals("…", Redaction.redact("hunter2"));
        assertEquals("…", Redaction.redact("sk_live_1234567")); // 15 chars, prefix or not
        assertNull(Redaction.redact(null));
    }

    @Test
    void knownPrefixAndLastFourOnly() {
        assertEquals("sk_live_…WXYZ", Redaction.redact("sk_live_51HabcdefghijklmnopqrsWXYZ"));
        assertEquals("AKIA…7XYZ", Redaction.redact("AKIAQWERTYUIOP127XYZ"));
        assertEquals("sb_secret_…9abc", Redaction.redact("sb_secret_0123456789abcdef0123456789abc"));
        assertEquals("…wxyz", Redaction.redact("0123456789abcdefghijklmnopqrstuvwxyz"));
    }

    @Test
    void shortSecretPartKeepsOnlyThePrefix() {
        // 18 chars: long enough for hints, but only 10 secret characters after the prefix
        assertEquals("sk_live_…", Redaction.redact("sk_live_abcdefghij"));
    }

    @Test
    void neverContainsTheMiddle() {
        String secret = "ghp_" + "MIDDLEPARTmiddlepart0123456789" + "TAIL";
        String r = Redaction.redact(secret);
        assertEquals("ghp_…TAIL", r);
        for (int i = 4; i + 5 <= secret.length(); i++) { // no 5 consecutive characters of the secret part
            assertFalse(r.contains(secret.substring(i, i + 5)), r);
        }
    }
}
