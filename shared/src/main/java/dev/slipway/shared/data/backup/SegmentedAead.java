package dev.slipway.shared.data.backup;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Client-side encryption of a stream of any length with bounded memory: AES-256-GCM over segments of
 * 1 MiB (the STREAM construction). Each segment has its own nonce (a random prefix per stream, the
 * segment's number, and a last-segment flag), so segments cannot be reordered, dropped, or the stream
 * cut short without a failed tag. (A single GCM stream would have to be held whole to decrypt.)
 * Layout: {@code "SLWE1"}, 7-byte nonce prefix, then per segment a 4-byte length (high bit: last)
 * and the ciphertext with its tag.
 */
public final class SegmentedAead {
    static final byte[] MAGIC = "SLWE1".getBytes(StandardCharsets.US_ASCII);
    static final int SEGMENT = 1 << 20;
    private static final int TAG_BITS = 128;
    private static final int LAST = 0x8000_0000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentedAead() {
    }

    /** Encrypts what is written into {@code out}; close it to write the last segment (and close {@code out}). */
    public static OutputStream encrypt(byte[] key, OutputStream out) throws IOException {
        return new Encrypting(key, out);
    }

    /** Decrypts {@code in}; a changed, reordered, missing or truncated segment fails with an IOException. */
    public static InputStream decrypt(byte[] key, InputStream in) throws IOException {
        return new Decrypting(key, in);
    }

    private static byte[] nonce(byte[] prefix, long segment, boolean last) {
        byte[] n = new byte[12];
        System.arraycopy(prefix, 0, n, 0, 7);
        n[7] = (byte) (segment >>> 24);
        n[8] = (byte) (segment >>> 16);
        n[9] = (byte) (segment >>> 8);
        n[10] = (byte) segment;
        n[11] = (byte) (last ? 1 : 0);
        return n;
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Encrypting extends BlockOutputStream {
        private final OutputStream out;
        private final byte[] key;
        private final byte[] prefix = new byte[7];
        private long segment;
        private boolean closed;

        Encrypting(byte[] key, OutputStream out) throws IOException {
            super(SEGMENT);
            this.out = out;
            this.key = key.clone();
            RANDOM.nextBytes(prefix);
            out.write(MAGIC);
            out.write(prefix);
        }

        @Override
        protected void blockFull() throws IOException {
            seal(false); // only once more data comes do we know this one was not the last
        }

        private void seal(boolean last) throws IOException {
            byte[] sealed;
            try {
                sealed = cipher(Cipher.ENCRYPT_MODE, key, nonce(prefix, segment++, last)).doFinal(buffer, 0, filled);
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
            int header = sealed.length | (last ? LAST : 0);
            out.write(new byte[] {(byte) (header >>> 24), (byte) (header >>> 16), (byte) (header >>> 8), (byte) header});
            out.write(sealed);
            filled = 0;
        }

        @Override
        public void flush() {
            // segments are written whole; flushing mid-segment would change nothing but the segment sizes
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            seal(true);
            Arrays.fill(key, (byte) 0);
            out.close();
        }
    }

    private static final class Decrypting extends InputStream {
        private final byte[] key;
        private final InputStream in;
        private final byte[] prefix = new byte[7];
        private byte[] plain = new byte[0];
        private int pos;
        private long segment;
        private boolean ended;

        Decrypting(byte[] key, InputStream in) throws IOException {
            this.key = key.clone();
            this.in = in;
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not an encrypted Slipway backup stream");
            }
            if (in.readNBytes(prefix, 0, 7) != 7) {
                throw new EOFException("backup stream cut short in its header");
            }
        }

        private boolean next() throws IOException {
            if (ended) {
                return false;
            }
            byte[] h = in.readNBytes(4);
            if (h.length < 4) {
                throw new EOFException("backup stream cut short: no last segment");
            }
            int header = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
            boolean last = (header & LAST) != 0;
            int length = header & ~LAST;
            if (length < 16 || length > SEGMENT + 16) {
                throw new IOException("backup stream damaged: a segment of " + length + " bytes");
            }
            byte[] sealed = in.readNBytes(length);
            if (sealed.length < length) {
                throw new EOFException("backup stream cut short in segment " + segment);
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, key, nonce(prefix, segment++, last)).doFinal(sealed);
            } catch (AEADBadTagException e) {
                throw new IOException("backup stream damaged: segment " + (segment - 1) + " does not authenticate");
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
            pos = 0;
            if (last) {
                ended = true;
                if (in.read() >= 0) {
                    throw new IOException("backup stream damaged: bytes after the last segment");
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == plain.length) {
                if (!next()) {
                    return -1;
                }
            }
            int n = Math.min(len, plain.length - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
