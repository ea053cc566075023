package dev.slipway.shared.env;

import com.fasterxml.jackson.core.type.TypeReference;
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
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The laptop's stand-in for SSM SecureStrings: one AES-256-GCM file per app under the data
 * folder, with a random key file next to it (owner-only permissions). Whole-file rewrite with an
 * atomic rename, so a crash leaves the old or the new file, never half of one.
 */
public final class LocalEncryptedAppEnvironment implements AppEnvironment {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object LOCK = new Object();
    private final Path dir;

    public LocalEncryptedAppEnvironment(Path dir) {
        this.dir = dir;
    }

    @Override
    public void putAll(String appId, Map<String, String> variables) {
        if (variables.isEmpty()) {
            return;
        }
        synchronized (LOCK) {
            Map<String, String> all = new TreeMap<>(read(appId));
            all.putAll(variables);
            write(appId, all);
        }
    }

    @Override
    public SortedSet<String> names(String appId) {
        return new TreeSet<>(values(appId).keySet());
    }

    @Override
    public Map<String, String> values(String appId) {
        synchronized (LOCK) {
            return read(appId);
        }
    }

    private Path file(String appId) {
        return dir.resolve(appId + ".env.enc");
    }

    private Map<String, String> read(String appId) {
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
            return Json.MAPPER.readValue(plain, new TypeReference<TreeMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the environment of " + appId + " cannot be decrypted with " + keyFile(), e);
        }
    }

    private void write(String appId, Map<String, String> values) {
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
