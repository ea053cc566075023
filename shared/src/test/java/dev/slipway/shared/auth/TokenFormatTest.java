package dev.slipway.shared.auth;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenFormatTest {
    @Test
    void aTokenCarriesItsIdAndAChecksumThatCatchesEveryOneCharacterChange() {
        String id = TokenFormat.newId(Instant.parse("2026-12-07T00:00:00Z"));
        String token = TokenFormat.generate(id);
        assertEquals(TokenFormat.LENGTH, token.length());
        assertTrue(token.startsWith("slwt_" + id), token);
        assertTrue(TokenFormat.isWellFormed(token));
        assertTrue(TokenFormat.PATTERN.matcher("x " + token + " y").find());
        assertEquals(id, TokenFormat.idOf(token));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        int changed = 0;
        for (int i = TokenFormat.PREFIX.length(); i < token.length(); i++) {
            for (char c : alphabet.toCharArray()) {
                if (c != token.charAt(i)) {
                    String other = token.substring(0, i) + c + token.substring(i + 1);
                    assertFalse(TokenFormat.isWellFormed(other), other);
                    changed++;
                }
            }
        }
        assertTrue(changed > 3000);
    }

    @Test
    void malformedTokensAreRefusedBeforeAnyLookup() {
        String token = TokenFormat.generate(TokenFormat.newId(Instant.now()));
        for (String bad : new String[]{null, "", "slwt_", token + "x", token.substring(1), "slw_" + token.substring(5),
                token.toLowerCase(), token.substring(0, token.length() - 1)}) {
            assertFalse(TokenFormat.isWellFormed(bad), String.valueOf(bad));
        }
    }

    @Test
    void secretsDiffer() {
        Set<String> seen = new HashSet<>();
        String id = TokenFormat.newId(Instant.now());
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(TokenFormat.generate(id)));
        }
    }
}
