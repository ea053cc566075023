package dev.slipway.shared.apps;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppIdTest {
    @Test
    void namesBecomeSlugs() {
        assertEquals("my-shop", AppId.fromName("My Shop"));
        assertEquals("cafe-deja-vu", AppId.fromName("Café Déjà Vu!"));
        assertEquals("shop-2", AppId.fromName("  Shop   #2 "));
        assertEquals("app", AppId.fromName("42 App"));
        assertEquals(40, AppId.fromName("a".repeat(60)).length());
        assertNull(AppId.fromName("123"));
        assertNull(AppId.fromName("日本語"));
        assertNull(AppId.fromName("x"));
    }

    @Test
    void onlyWellFormedSlugsAreIds() {
        assertTrue(AppId.isValid("my-shop"));
        assertTrue(AppId.isValid("a1"));
        for (String bad : new String[]{null, "", "a", "1abc", "-abc", "abc-", "ab--cd", "My-Shop", "my_shop", "my.shop",
                "a".repeat(41), "../etc", "my shop", "shop\u0000"}) {
            assertFalse(AppId.isValid(bad), String.valueOf(bad));
        }
        DomainException p = assertThrows(DomainException.class, () -> AppId.require("Bad"));
        assertEquals(DomainError.INVALID_APP_ID, p.error());
    }
}
