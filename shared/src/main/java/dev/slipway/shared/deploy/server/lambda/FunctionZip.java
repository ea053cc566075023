package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The code of an app's function for one release: the release's server bundle as it was built (its
 * SHA-256 checked first: a changed bundle never runs), plus Slipway's adapter and the file naming
 * the server's entry. Lambda runs {@link #HANDLER}.
 */
public final class FunctionZip {
    public static final String ADAPTER = "slipway-lambda-adapter.mjs";
    public static final String CONFIG = "slipway-server.json";
    public static final String HANDLER = "slipway-lambda-adapter.handler";

    private FunctionZip() {
    }

    /** Writes the function's zip to {@code out} from the bundle zip read from {@code bundle}. */
    public static void build(InputStream bundle, ServerBundle server, Path work, Path out) throws IOException {
        Path copy = Files.createTempFile(work, "bundle", ".zip");
        try {
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(bundle, sha)) {
                Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(server.sha256())) {
                throw new IllegalStateException("the server bundle changed after its build: SHA-256 " + actual
                        + ", the release says " + server.sha256());
            }
            long unzipped = 0;
            try (ZipFile zip = new ZipFile(copy.toFile()); OutputStream file = Files.newOutputStream(out);
                 ZipOutputStream zout = new ZipOutputStream(file)) {
                var entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    if (e.getName().equals(ADAPTER) || e.getName().equals(CONFIG)) {
                        continue; // Slipway's own files win over same-named ones in the bundle
                    }
                    ZipEntry copied = new ZipEntry(e.getName());
                    copied.setTime(e.getTime());
                    zout.putNextEntry(copied);
                    if (!e.isDirectory()) {
                        try (InputStream in = zip.getInputStream(e)) {
                            unzipped += in.transferTo(zout);
                        }
                    }
                    zout.closeEntry();
                    if (unzipped > ServerBundle.MAX_UNZIPPED_BYTES) {
                        throw new IllegalArgumentException("the server bundle unzips to more than "
                                + ServerBundle.MAX_UNZIPPED_BYTES + " bytes (Lambda's 250 MiB less the adapter)");
                    }
                }
                zout.putNextEntry(new ZipEntry(ADAPTER));
                zout.write(adapterSource());
                zout.closeEntry();
                zout.putNextEntry(new ZipEntry(CONFIG));
                zout.write(Json.write(Json.object().put("entry", server.entry()).put("framework", server.framework()))
                        .getBytes(StandardCharsets.UTF_8));
                zout.closeEntry();
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** The adapter's source, as the node tests run it. */
    public static byte[] adapterSource() {
        try (InputStream in = FunctionZip.class.getResourceAsStream(ADAPTER)) {
            if (in == null) {
                throw new IllegalStateException(ADAPTER + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
