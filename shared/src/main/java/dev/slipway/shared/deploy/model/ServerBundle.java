package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A release's server: the built server with its production dependencies, zipped under
 * {@link #key(String, String)} beside the release's site files, run with {@code node <entry>}
 * from the unzipped bundle's root. Immutable like the files: the zip's SHA-256 is checked before a
 * server runs it.
 *
 * @param framework     {@link #NEXT}, {@link #NITRO}, {@link #REACT_ROUTER} or {@link #NODE}
 * @param nodeMajor     the Node major the server was built with and runs on
 * @param entry         the JS file to run, relative to the bundle's root ({@code server.js},
 *                      {@code .output/server/index.mjs})
 * @param sha256        lowercase hex SHA-256 of the bundle zip
 * @param zipBytes      size of the zip
 * @param unzippedBytes size of its files once unzipped (at most {@link #MAX_UNZIPPED_BYTES})
 */
public record ServerBundle(String framework, int nodeMajor, String entry, String sha256, long zipBytes, long unzippedBytes) {
    public static final String NEXT = "next";
    public static final String NITRO = "nitro";
    public static final String REACT_ROUTER = "react-router";
    public static final String NODE = "node";
    public static final Set<String> FRAMEWORKS = Set.of(NEXT, NITRO, REACT_ROUTER, NODE);

    /** Lambda's 250 MiB unzipped limit less 2 MiB for the adapter that runs the server there. */
    public static final long MAX_UNZIPPED_BYTES = 262_144_000L - 2_097_152L;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._@+-]{1,255}");

    @JsonCreator
    public ServerBundle {
        if (framework == null || !FRAMEWORKS.contains(framework)) {
            throw new IllegalArgumentException("not a server framework (next, nitro, react-router, node): " + framework);
        }
        if (nodeMajor < 18 || nodeMajor > 99) {
            throw new IllegalArgumentException("not a supported Node major: " + nodeMajor);
        }
        if (!isSafeEntry(entry)) {
            throw new IllegalArgumentException("not a safe entry path (relative, no .., a .js, .mjs or .cjs file): " + entry);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a lowercase hex SHA-256");
        }
        if (zipBytes <= 0 || unzippedBytes <= 0) {
            throw new IllegalArgumentException("a server bundle has a size");
        }
    }

    /** A relative path of plain segments (no {@code ..}, no leading {@code /}, no backslash) to a JS file. */
    public static boolean isSafeEntry(String entry) {
        if (entry == null || entry.isEmpty() || entry.length() > 1024 || entry.startsWith("/")
                || !(entry.endsWith(".js") || entry.endsWith(".mjs") || entry.endsWith(".cjs"))) {
            return false;
        }
        for (String segment : entry.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Where a release's bundle zip lives in the artifacts bucket (the bucket of its site files). */
    public static String key(String appId, String releaseId) {
        return "servers/" + appId + "/" + releaseId + "/bundle.zip";
    }
}
