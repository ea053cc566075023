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
 * The key of a build's dependency cache object: the SHA-256 of the lockfiles at the source's root and
 * of the settings that change what an install produces (install command, Node.js version). Computed by
 * trusted code (ExportSource) from the exported source, never by the build: the build only gets the
 * URLs of the one object this key names.
 */
public final class DependencyCacheKey {
    /** Every lockfile a build's package manager reads (PackageManager's list), in a fixed order. */
    static final List<String> LOCKFILES = List.of("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
            "bun.lock", "bun.lockb");

    private DependencyCacheKey() {
    }

    /** The key of the source zip's dependencies; empty when it has no lockfile (an unlocked install is not cached). */
    public static Optional<String> of(Path sourceZip, BuildSettings settings) throws IOException {
        MessageDigest sha = sha256();
        boolean locked = false;
        try (ZipFile zip = new ZipFile(sourceZip.toFile())) {
            for (String name : LOCKFILES) {
                ZipEntry e = zip.getEntry(name);
                if (e == null || e.isDirectory()) {
                    continue;
                }
                locked = true;
                field(sha, name);
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] buf = new byte[64 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                    }
                }
                sha.update((byte) 0);
            }
        }
        if (!locked) {
            return Optional.empty();
        }
        try (ZipFile zip = new ZipFile(sourceZip.toFile())) {
            ZipEntry e = zip.getEntry("package.json");
            if (e != null && !e.isDirectory()) {
                try (InputStream in = zip.getInputStream(e)) {
                    field(sha, "package.json=" + manifestDependencies(new String(in.readNBytes(4 * 1024 * 1024), StandardCharsets.UTF_8)));
                }
            }
        }
        BuildSettings s = settings == null ? BuildSettings.NONE : settings;
        field(sha, "installCommand=" + (s.installCommand() == null ? "" : s.installCommand()));
        field(sha, "nodeVersion=" + (s.nodeVersion() == null ? "" : s.nodeVersion()));
        field(sha, "packageManager=" + (s.packageManager() == null ? "" : s.packageManager()));
        return Optional.of(HexFormat.of().formatHex(sha.digest()));
    }

    /** The package.json fields an install depends on. */
    private static final List<String> DEPENDENCY_FIELDS = List.of("dependencies", "devDependencies", "optionalDependencies",
            "peerDependencies", "bundleDependencies", "bundledDependencies", "overrides", "resolutions", "pnpm", "workspaces",
            "packageManager", "trustedDependencies", "patchedDependencies");

    /**
     * What of package.json an install depends on, as one canonical string: a lockfile out of step with package.json
     * must not hit the cache entry of its in-step twin (that would be a silently different tree), while a change of
     * scripts or version still does. An unreadable package.json counts as a whole.
     */
    public static String manifestDependencies(String packageJson) {
        try {
            com.fasterxml.jackson.databind.JsonNode pkg = dev.slipway.shared.json.Json.MAPPER.readTree(packageJson);
            if (pkg == null || !pkg.isObject()) {
                return packageJson;
            }
            com.fasterxml.jackson.databind.node.ObjectNode kept = dev.slipway.shared.json.Json.MAPPER.createObjectNode();
            for (String f : DEPENDENCY_FIELDS) {
                if (pkg.has(f)) {
                    kept.set(f, pkg.get(f));
                }
            }
            return kept.toString();
        } catch (IOException | RuntimeException e) {
            return packageJson;
        }
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
