package dev.slipway.shared.deploy;

import dev.slipway.shared.apps.BuildSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The key of a build's dependency cache object: the SHA-256 of the lockfiles at the source's root, of the
 * other files an install reads ({@link #INSTALL_INPUTS}: package.json's own install scripts, registry
 * settings) and of the settings that change what an install produces (install command, Node.js version).
 * With package.json in the key, an install script a branch changed cannot leave its output for builds of
 * another package.json with the same lockfile. Computed by
 * trusted code (ExportSource) from the exported source, never by the build: the build only gets the
 * URLs of the one object this key names.
 */
public final class DependencyCacheKey {
    /** Every lockfile a build's package manager reads (PackageManager's list), in a fixed order. */
    static final List<String> LOCKFILES = List.of("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
            "bun.lock", "bun.lockb");

    /** Files besides the lockfile that change what an install writes into node_modules. */
    public static final List<String> INSTALL_INPUTS = List.of("package.json", ".npmrc", ".yarnrc", ".yarnrc.yml",
            "bunfig.toml", "pnpm-workspace.yaml", ".pnpmfile.cjs");

    private DependencyCacheKey() {
    }

    /** The key of the source zip's dependencies; empty when it has no lockfile (an unlocked install is not cached). */
    public static Optional<String> of(Path sourceZip, BuildSettings settings) throws IOException {
        MessageDigest sha = sha256();
        try (ZipFile zip = new ZipFile(sourceZip.toFile())) {
            boolean locked = false;
            for (String name : LOCKFILES) {
                locked |= hashEntry(zip, name, sha);
            }
            if (!locked) {
                return Optional.empty();
            }
            for (String name : INSTALL_INPUTS) {
                hashEntry(zip, name, sha);
            }
        }
        BuildSettings s = settings == null ? BuildSettings.NONE : settings;
        field(sha, "installCommand=" + (s.installCommand() == null ? "" : s.installCommand()));
        field(sha, "nodeVersion=" + (s.nodeVersion() == null ? "" : s.nodeVersion()));
        field(sha, "packageManager=" + (s.packageManager() == null ? "" : s.packageManager()));
        if (s.registry() != null) {
            field(sha, "registry=" + s.registry());
        }
        return Optional.of(HexFormat.of().formatHex(sha.digest()));
    }

    /** Adds the entry's name and bytes to {@code sha}; false when the zip has no such file. */
    private static boolean hashEntry(ZipFile zip, String name, MessageDigest sha) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null || e.isDirectory()) {
            return false;
        }
        field(sha, name);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        sha.update((byte) 0);
        return true;
    }

    private static void field(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
