package dev.slipway.local.edge;

import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.ReleaseFiles;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The file paths of releases that have a server, read from their manifest once (a release never changes):
 * the edge answers a request from the files only when it names one of them exactly.
 */
final class ServerReleaseFiles {
    private static final int MAX_RELEASES = 256;

    private final ReleaseFiles files;
    private final Map<String, Set<String>> paths = new ConcurrentHashMap<>();

    ServerReleaseFiles(software.amazon.awssdk.services.s3.S3Client s3, String bucket) {
        this.files = new ReleaseFiles(s3, bucket);
    }

    /**
     * The release's file for a decoded request path ({@code /robots.txt}; {@code /} and {@code /docs/} with their
     * {@code index.html}), as {@code /path}; null when the server should answer.
     */
    String find(String appId, String releaseId, String requestPath) {
        Set<String> known = paths.get(releaseId);
        if (known == null) {
            if (paths.size() >= MAX_RELEASES) {
                paths.clear();
            }
            known = files.manifest(appId, releaseId).map(ServerReleaseFiles::pathsOf).orElse(Set.of());
            paths.put(releaseId, known);
        }
        String p = requestPath.startsWith("/") ? requestPath.substring(1) : requestPath;
        if (p.isEmpty() || p.endsWith("/")) {
            return known.contains(p + "index.html") ? "/" + p + "index.html" : null;
        }
        return known.contains(p) ? "/" + p : null;
    }

    private static Set<String> pathsOf(Manifest m) {
        return m.files().stream().map(Manifest.File::path).collect(Collectors.toUnmodifiableSet());
    }
}
