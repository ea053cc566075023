package dev.slipway.shared.deploy.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.json.Json;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * How a build hands its server to the deploy steps: inside the build's output (what the edge serves as
 * files) under {@link #DIR}, the bundle as {@link #ZIP} and what runs it as {@link #DESCRIPTOR}
 * ({@code {"framework","entry","nodeMajor"}}). The local runner and the CodeBuild buildspec write
 * them; StageRelease takes them out of the site's files, checks them ({@link #measure}) and stores
 * the zip under {@link ServerBundle#key}.
 */
public final class ServerOutput {
    public static final String DIR = "_slipway/";
    public static final String ZIP = DIR + "server.zip";
    public static final String DESCRIPTOR = DIR + "server.json";

    private ServerOutput() {
    }

    /** What the descriptor says runs the bundle. */
    public record Descriptor(String framework, String entry, int nodeMajor) {
        public static Descriptor parse(byte[] json) {
            JsonNode doc;
            try {
                doc = Json.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the server descriptor is not JSON");
            }
            String framework = doc.path("framework").asText("");
            String entry = doc.path("entry").asText("");
            int major = doc.path("nodeMajor").asInt(0);
            if (!ServerBundle.FRAMEWORKS.contains(framework) || !ServerBundle.isSafeEntry(entry) || major < 18) {
                throw new IllegalArgumentException("the server descriptor names no runnable server: " + Json.write(doc));
            }
            return new Descriptor(framework, entry, major);
        }

        public String json() {
            return Json.write(Json.object().put("framework", framework).put("entry", entry).put("nodeMajor", nodeMajor));
        }

        public ServerBundle bundle(Measured m) {
            return new ServerBundle(framework, nodeMajor, entry, m.sha256(), m.zipBytes(), m.unzippedBytes());
        }
    }

    /** A bundle zip's SHA-256, size, and the bytes its entries hold (counted while reading them). */
    public record Measured(String sha256, long zipBytes, long unzippedBytes) {
    }

    /** Thrown when a bundle holds more than the limit once unzipped. */
    public static final class TooLarge extends IllegalArgumentException {
        public TooLarge(long zipBytes, long unzippedAtLeast, long limit) {
            super("the server bundle is " + mib(unzippedAtLeast) + " unzipped" + (zipBytes > 0 ? " (" + mib(zipBytes) + " zipped)" : "")
                    + ", over the limit of " + mib(limit) + " (Lambda's 250 MiB less the adapter's 2 MiB): trim the server's dependencies");
        }
    }

    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB (%d bytes)", bytes / 1048576.0, bytes);
    }

    /**
     * Zips a bundle folder of plain files (a symbolic link or special file is refused) and returns the bytes
     * of its files; stops with {@link TooLarge} once they pass {@code limit}.
     */
    public static long zip(Path dir, Path zipFile, long limit) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        long total = 0;
        try (OutputStream out = Files.newOutputStream(zipFile); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Path f : files) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    continue;
                }
                String rel = dir.relativize(f).toString().replace(File.separatorChar, '/');
                if (!a.isRegularFile()) {
                    throw new IllegalArgumentException("the server bundle holds " + rel + ", which is not a plain file");
                }
                total += a.size();
                if (total > limit) {
                    throw new TooLarge(0, total, limit);
                }
                zip.putNextEntry(new ZipEntry(rel));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        return total;
    }

    /**
     * Checks a bundle zip: every entry a safe relative path, {@code entry} among them, and at most
     * {@code limit} bytes once unzipped (counted as read, never taken from the zip's headers).
     */
    public static Measured measure(Path zipFile, String entry, long limit) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long zipBytes = Files.size(zipFile);
        long total = 0;
        boolean hasEntry = false;
        byte[] buf = new byte[64 * 1024];
        try (InputStream raw = new DigestInputStream(Files.newInputStream(zipFile), sha);
             ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                if (!isSafePath(e.getName())) {
                    throw new IllegalArgumentException("the server bundle holds an unsafe path: " + e.getName());
                }
                hasEntry |= e.getName().equals(entry);
                for (int n; (n = zip.read(buf)) > 0; ) {
                    total += n;
                    if (total > limit) {
                        throw new TooLarge(zipBytes, total, limit);
                    }
                }
            }
            raw.transferTo(OutputStream.nullOutputStream()); // the rest of the file counts for the hash
        }
        if (!hasEntry) {
            throw new IllegalArgumentException("the server bundle has no " + entry + " to run");
        }
        return new Measured(HexFormat.of().formatHex(sha.digest()), zipBytes, total);
    }

    /** A relative path of plain segments (what {@link #unzip} may write). */
    public static boolean isSafePath(String p) {
        if (p == null || p.isEmpty() || p.length() > 4096 || p.startsWith("/") || p.indexOf('\\') >= 0 || p.indexOf('\0') >= 0) {
            return false;
        }
        for (String s : p.split("/", -1)) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Unzips a checked bundle into {@code dir} (plain files only, nothing outside it). */
    public static void unzip(InputStream in, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                if (!isSafePath(e.getName())) {
                    throw new IllegalArgumentException("unsafe path in the server bundle: " + e.getName());
                }
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IllegalArgumentException("unsafe path in the server bundle: " + e.getName());
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target);
            }
        }
    }
}
