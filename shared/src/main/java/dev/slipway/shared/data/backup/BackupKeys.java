package dev.slipway.shared.data.backup;

import dev.slipway.shared.data.link.DatabaseSecrets;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Keys of the backups: every backup has its own random AES-256 data key, stored in its manifest only
 * wrapped (AES-GCM) by the app's backup key. The app's backup key is made on the first backup and kept
 * with the app's other data secrets ({@link DatabaseSecrets}: an SSM SecureString, so KMS protects it,
 * in AWS; the local AES-GCM store locally): an owner who can read that parameter can decrypt every
 * backup of the app offline, and nobody who can only read the bucket can.
 */
public final class BackupKeys {
    static final String SECRET = "backup-key";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final DatabaseSecrets secrets;

    public BackupKeys(DatabaseSecrets secrets) {
        this.secrets = secrets;
    }

    /** A new data key and its wrapped form (what the manifest keeps). */
    public record DataKey(byte[] key, String wrapped) {
    }

    public DataKey newDataKey(String appId) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, appKey(appId, true), nonce, key, appId);
        byte[] out = new byte[12 + sealed.length];
        System.arraycopy(nonce, 0, out, 0, 12);
        System.arraycopy(sealed, 0, out, 12, sealed.length);
        return new DataKey(key, Base64.getEncoder().encodeToString(out));
    }

    public byte[] unwrap(String appId, String wrapped) throws IOException {
        byte[] in = Base64.getDecoder().decode(wrapped);
        try {
            return crypt(Cipher.DECRYPT_MODE, appKey(appId, false), Arrays.copyOf(in, 12), Arrays.copyOfRange(in, 12, in.length), appId);
        } catch (IllegalStateException e) {
            throw new IOException("the backup's data key does not unwrap with the app's backup key", e);
        }
    }

    private byte[] appKey(String appId, boolean create) {
        var stored = secrets.get(appId, SECRET);
        if (stored.isPresent()) {
            return Base64.getDecoder().decode(stored.get());
        }
        if (!create) {
            throw new IllegalStateException("app " + appId + " has no backup key");
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        secrets.put(appId, SECRET, Base64.getEncoder().encodeToString(key));
        // a concurrent first backup may have stored its own: the stored one wins for both
        return Base64.getDecoder().decode(secrets.get(appId, SECRET).orElseThrow());
    }

    private static byte[] crypt(int mode, byte[] key, byte[] nonce, byte[] data, String appId) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(("slipway-backup-key:" + appId).getBytes(StandardCharsets.UTF_8));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
