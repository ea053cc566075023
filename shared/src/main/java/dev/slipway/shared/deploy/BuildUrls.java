package dev.slipway.shared.deploy;

import java.time.Instant;
import java.util.Objects;

/**
 * Everything one build may touch, as presigned S3 URLs minted for it by {@link BuildUrlSigner}: read its
 * deployment's source and environment, write its deployment's output and log, read and write its app's
 * dependency cache of its scope. The build's own identity has no data rights, so these URLs are all it
 * can reach; each URL's signature covers its key, so none can be bent to another object.
 *
 * @param cacheGet ""/cachePut "" when the source has no lockfile (nothing is cached then)
 * @param lockfile the PUT of the lockfile the install writes when the source has none, else ""
 * @param expiresAt when the URLs stop working (at the latest: temporary signing credentials may end sooner)
 */
public record BuildUrls(String source, String environment, String output, String log, String cacheGet, String cachePut,
                        String lockfile, Instant expiresAt) {
    /** The content types the PUT URLs are signed for: a PUT must send exactly these. */
    public static final String OUTPUT_TYPE = "application/zip";
    public static final String LOG_TYPE = "text/plain; charset=utf-8";
    public static final String CACHE_TYPE = "application/gzip";
    public static final String LOCKFILE_TYPE = "application/zip";

    public BuildUrls {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(cacheGet, "cacheGet");
        Objects.requireNonNull(cachePut, "cachePut");
        Objects.requireNonNull(lockfile, "lockfile");
    }

    @Override
    public String toString() {
        return "BuildUrls[expiresAt=" + expiresAt + "]"; // never the URLs: they are bearer grants
    }
}
