package dev.slipway.shared.data.preview;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A preview's database name: {@code <db>_pv_<preview>}, always a Postgres identifier of at most 63 bytes, one per preview. */
class PreviewDatabaseNamesTest {
    @Test
    void namesAreTheLinkedDatabasesWithThePreviewAfterIt() {
        assertEquals("postgres_pv_feature_x", PreviewDatabases.databaseName("postgres", "feature-x"));
        assertEquals("my_shop_pv_a1", PreviewDatabases.databaseName("My-Shop", "a1"));
    }

    @Test
    void longNamesAreCutToPostgresLimitAndStayApart() {
        String preview = "p".repeat(40);
        String a = PreviewDatabases.databaseName("d".repeat(63), preview);
        String b = PreviewDatabases.databaseName("d".repeat(62) + "e", preview);
        assertEquals(63, a.length());
        assertTrue(a.endsWith("_pv_" + preview), a);
        assertNotEquals(a, b, "two long databases that share a prefix keep their previews' databases apart");
        assertNotEquals(PreviewDatabases.databaseName("shop", "a-b"), PreviewDatabases.databaseName("shop", "a"));
    }
}
