package dev.slipway.local;

import dev.slipway.shared.artifacts.ArtifactStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The artifacts bucket of template.yaml on the embedded S3 server: writes never overwrite. */
class ArtifactStoreTest {
    private static ArtifactStore store;

    @BeforeAll
    static void start() throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        store = new ArtifactStore(engines.s3Client, engines.bucketName("ArtifactsBucket"));
    }

    @Test
    void aKeyIsWrittenOnceAndNeverReplaced() {
        String key = "test/" + UUID.randomUUID() + "/index.html";
        byte[] first = "<h1>first</h1>".getBytes(StandardCharsets.UTF_8);
        assertTrue(store.putIfAbsent(key, first, "text/html"));
        assertFalse(store.putIfAbsent(key, "<h1>second</h1>".getBytes(StandardCharsets.UTF_8), "text/html"));
        assertArrayEquals(first, store.get(key).orElseThrow());
        assertTrue(store.exists(key));
        store.delete(key);
        assertFalse(store.exists(key));
        assertTrue(store.get(key).isEmpty());
    }
}
