package dev.slipway.shared.env;

import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local store on a real file system: scopes, removal, and files written before scopes existed. */
class LocalEncryptedAppEnvironmentTest {
    @TempDir
    Path dir;

    private static AppEnvironment.Entry in(String value, EnvScope... scopes) {
        return new AppEnvironment.Entry(value, Set.of(scopes));
    }

    @Test
    void aPreviewsOwnValuesAreItsAloneAndGoWithIt() {
        var env = new LocalEncryptedAppEnvironment(dir);
        env.change("shop", Map.of("DATABASE_URL", in("postgres://prod", EnvScope.PRODUCTION)), List.of());
        env.putPreviewValues("shop", "one", Map.of("DATABASE_URL", "postgres://one"));
        env.putPreviewValues("shop", "two", Map.of("DATABASE_URL", "postgres://two"));
        assertEquals(Map.of("DATABASE_URL", "postgres://one"), env.previewValues("shop", "one"));
        assertEquals(Map.of("DATABASE_URL", "postgres://two"), env.previewValues("shop", "two"));
        assertTrue(env.values("shop", EnvScope.PREVIEW).isEmpty(), "not the preview scope's (builds read that)");
        assertEquals(List.of("DATABASE_URL"), env.list("shop").stream().map(EnvVariable::name).toList());
        assertTrue(env.previewValues("shop-two", "one").isEmpty(), "apps do not share them");
        env.removePreviewValues("shop", "one");
        assertTrue(env.previewValues("shop", "one").isEmpty());
        assertEquals(Map.of("DATABASE_URL", "postgres://two"), env.previewValues("shop", "two"));
        env.removePreviewValues("shop", "one"); // again: none is fine
    }

    @Test
    void eachScopeSeesOnlyItsVariables() {
        var env = new LocalEncryptedAppEnvironment(dir);
        env.change("shop", Map.of("PROD_ONLY", in("p-secret", EnvScope.PRODUCTION),
                "PREVIEW_ONLY", in("pv-value", EnvScope.PREVIEW),
                "BOTH", in("shared", EnvScope.PRODUCTION, EnvScope.PREVIEW)), List.of());
        assertEquals(Map.of("PROD_ONLY", "p-secret", "BOTH", "shared"), env.values("shop", EnvScope.PRODUCTION));
        assertEquals(Map.of("PREVIEW_ONLY", "pv-value", "BOTH", "shared"), env.values("shop", EnvScope.PREVIEW));
        List<EnvVariable> listed = env.list("shop");
        assertEquals(List.of("BOTH", "PREVIEW_ONLY", "PROD_ONLY"), listed.stream().map(EnvVariable::name).toList());
        assertEquals(EnvScope.ALL, listed.get(0).scopes());
        assertEquals(Set.of(EnvScope.PREVIEW), listed.get(1).scopes());
        assertNotNull(listed.get(2).updatedAt());
        assertTrue(env.values("other", EnvScope.PRODUCTION).isEmpty(), "apps do not share variables");
    }

    @Test
    void changingScopesMovesAVariableAndRemoveTakesItOutOfBoth() {
        var env = new LocalEncryptedAppEnvironment(dir);
        env.putAll("shop", Map.of("KEY", "v1", "GONE", "x"));
        assertEquals(Map.of("KEY", "v1", "GONE", "x"), env.values("shop", EnvScope.PREVIEW), "imports go to both scopes");
        env.change("shop", Map.of("KEY", in("v2", EnvScope.PRODUCTION)), List.of("GONE", "NEVER_SET"));
        assertEquals(Map.of(), env.values("shop", EnvScope.PREVIEW));
        assertEquals(Map.of("KEY", "v2"), env.values("shop", EnvScope.PRODUCTION));
        assertEquals(Set.of("KEY"), env.names("shop"));
    }

    @Test
    void aFileOfTheFormatBeforeScopesReadsAsBothScopesAndIsRewrittenInTheNewOne() throws Exception {
        writeOldFormat("shop", Map.of("SUPABASE_SERVICE_ROLE_KEY", "old-secret", "VITE_URL", "https://x.example"));
        var env = new LocalEncryptedAppEnvironment(dir);
        Map<String, String> both = Map.of("SUPABASE_SERVICE_ROLE_KEY", "old-secret", "VITE_URL", "https://x.example");
        assertEquals(both, env.values("shop", EnvScope.PRODUCTION));
        assertEquals(both, env.values("shop", EnvScope.PREVIEW));
        env.list("shop").forEach(v -> {
            assertEquals(EnvScope.ALL, v.scopes());
            assertNull(v.updatedAt(), "the old format kept no times");
        });

        env.change("shop", Map.of("SUPABASE_SERVICE_ROLE_KEY", in("old-secret", EnvScope.PRODUCTION)), List.of());
        assertEquals(Map.of("VITE_URL", "https://x.example"), env.values("shop", EnvScope.PREVIEW));
        var reopened = new LocalEncryptedAppEnvironment(dir);
        assertEquals(Map.of("SUPABASE_SERVICE_ROLE_KEY", "old-secret", "VITE_URL", "https://x.example"),
                reopened.values("shop", EnvScope.PRODUCTION));
        byte[] file = Files.readAllBytes(dir.resolve("shop.env.enc"));
        assertFalse(new String(file, StandardCharsets.ISO_8859_1).contains("old-secret"), "still encrypted");
    }

    @Test
    void aFileRenamedToAnotherAppDoesNotDecrypt() throws Exception {
        var env = new LocalEncryptedAppEnvironment(dir);
        env.putAll("shop", Map.of("K", "v"));
        Files.copy(dir.resolve("shop.env.enc"), dir.resolve("other.env.enc"));
        assertThrows(IllegalStateException.class, () -> env.list("other"));
    }

    /** What the store wrote before scopes: AES-GCM over a flat JSON object, the app id as AAD. */
    private void writeOldFormat(String appId, Map<String, String> values) throws Exception {
        Files.createDirectories(dir);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.write(dir.resolve("master.key"), key);
        byte[] iv = new byte[12];
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(appId.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = c.doFinal(Json.MAPPER.writeValueAsBytes(new TreeMap<>(values)));
        byte[] out = new byte[12 + sealed.length];
        System.arraycopy(sealed, 0, out, 12, sealed.length);
        Files.write(dir.resolve(appId + ".env.enc"), out);
    }
}
