package dev.slipway.shared.env;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The laptop's stand-in for SSM SecureStrings: one AES-256-GCM file per app under the data
 * folder, with a random key file next to it (owner-only permissions). Whole-file rewrite with an
 * atomic rename, so a crash leaves the old or the new file, never half of one.
 */
public final class LocalEncryptedAppEnvironment implements AppEnvironment {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object LOCK = new Object();
    private static final int FORMAT = 2;
    private final Path dir;

    public LocalEncryptedAppEnvironment(Path dir) {
        this.dir = dir;
    }

    @Override
    public void change(String appId, Map<String, Entry> set, Collection<String> remove) {
        if (set.isEmpty() && remove.isEmpty()) {
            return;
        }
        synchronized (LOCK) {
            Map<String, Stored> all = read(appId);
            String now = Instant.now().toString();
            remove.forEach(all::remove);
            set.forEach((name, e) -> all.put(name, new Stored(e.value(), scopeIds(e.scopes()), now)));
            write(appId, all);
        }
    }

    @Override
    public List<EnvVariable> list(String appId) {
        synchronized (LOCK) {
            List<EnvVariable> out = new ArrayList<>();
            read(appId).forEach((name, s) -> out.add(new EnvVariable(name, s.scopeSet(),
                    s.updatedAt() == null ? null : Instant.parse(s.updatedAt()))));
            return out;
        }
    }

    @Override
    public Map<String, String> values(String appId, EnvScope scope) {
        synchronized (LOCK) {
            Map<String, String> out = new TreeMap<>();
            read(appId).forEach((name, s) -> {
                if (s.scopeSet().contains(scope)) {
                    out.put(name, s.value());
                }
            });
            return out;
        }
    }

    /** A preview's own values: a file of their own ({@code <appId>--preview-<name>}; app ids never hold "--"). */
    private static String previewFile(String appId, String preview) {
        return appId + "--preview-" + preview;
    }

    @Override
    public Map<String, String> previewValues(String appId, String preview) {
        synchronized (LOCK) {
            Map<String, String> out = new TreeMap<>();
            read(previewFile(appId, preview)).forEach((name, s) -> out.put(name, s.value()));
            return out;
        }
    }

    @Override
    public void putPreviewValues(String appId, String preview, Map<String, String> values) {
        synchronized (LOCK) {
            Map<String, Stored> all = read(previewFile(appId, preview));
            String now = Instant.now().toString();
            values.forEach((name, value) -> all.put(name, new Stored(value, List.of(EnvScope.PREVIEW.id()), now)));
            write(previewFile(appId, preview), all);
        }
    }

    @Override
    public void removePreviewValues(String appId, String preview) {
        synchronized (LOCK) {
            try {
                Files.deleteIfExists(file(previewFile(appId, preview)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One variable in the file. {@code scopes} as ids; updatedAt null for variables of the old format. */
    private record Stored(String value, List<String> scopes, String updatedAt) {
        Set<EnvScope> scopeSet() {
            Set<EnvScope> out = EnumSet.noneOf(EnvScope.class);
            scopes.forEach(id -> out.add(EnvScope.of(id)));
            return out;
        }
    }

    private static List<String> scopeIds(Set<EnvScope> scopes) {
        return scopes.stream().sorted().map(EnvScope::id).toList();
    }

    private Path file(String appId) {
        return dir.resolve(appId + ".env.enc");
    }

    private Map<String, Stored> read(String appId) {
        Path f = file(appId);
        if (!Files.exists(f)) {
            return new TreeMap<>();
        }
        try {
            byte[] all = Files.readAllBytes(f);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, all, 0, 12));
            c.updateAAD(appId.getBytes(StandardCharsets.UTF_8));
            byte[] plain = c.doFinal(all, 12, all.length - 12);
            return parse(Json.MAPPER.readTree(plain));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the environment of " + appId + " cannot be decrypted with " + keyFile(), e);
        }
    }

    /**
     * Format 2: {@code {"format":2,"variables":{NAME:{value,scopes,updatedAt}}}}. Files written
     * before scopes are a flat {@code {NAME: value}} object (values are all strings, so no
     * {@code format} number): each of those variables applies to both scopes.
     */
    private static Map<String, Stored> parse(JsonNode root) throws IOException {
        Map<String, Stored> out = new TreeMap<>();
        if (root.path("format").isInt()) {
            if (root.get("format").intValue() != FORMAT) {
                throw new IllegalStateException("environment file format " + root.get("format") + " is newer than this Slipway");
            }
            root.path("variables").fields().forEachRemaining(e ->
                    out.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Stored.class)));
        } else {
            Map<String, String> old = Json.MAPPER.convertValue(root, new TypeReference<TreeMap<String, String>>() { });
            old.forEach((name, value) -> out.put(name, new Stored(value, scopeIds(EnvScope.ALL), null)));
        }
        return out;
    }

    private void write(String appId, Map<String, Stored> variables) {
        ObjectNode values = Json.object();
        values.put("format", FORMAT);
        values.set("variables", Json.MAPPER.valueToTree(variables));
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, iv));
            c.updateAAD(appId.getBytes(StandardCharsets.UTF_8)); // a file renamed to another app fails
            byte[] sealed = c.doFinal(Json.MAPPER.writeValueAsBytes(values));
            byte[] out = new byte[12 + sealed.length];
            System.arraycopy(iv, 0, out, 0, 12);
            System.arraycopy(sealed, 0, out, 12, sealed.length);
            Path tmp = ownerOnly(Files.createTempFile(dir, appId, ".tmp"));
            Files.write(tmp, out);
            try {
                Files.move(tmp, file(appId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(appId), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path keyFile() {
        return dir.resolve("master.key");
    }

    private SecretKeySpec key() throws IOException {
        Files.createDirectories(dir);
        Path k = keyFile();
        if (!Files.exists(k)) {
            byte[] fresh = new byte[32];
            RANDOM.nextBytes(fresh);
            Path tmp = ownerOnly(Files.createTempFile(dir, "master", ".tmp"));
            Files.write(tmp, fresh);
            try {
                Files.move(tmp, k, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp); // another writer made it first: use theirs
            }
        }
        byte[] bytes = Files.readAllBytes(k);
        if (bytes.length != 32) {
            throw new IllegalStateException(k + " is not a 256-bit key");
        }
        return new SecretKeySpec(bytes, "AES");
    }

    private static Path ownerOnly(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return p;
    }
}
