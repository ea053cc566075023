package dev.slipway.shared.deploy;

import dev.slipway.shared.env.EnvScope;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Mints a build's {@link BuildUrls}: only keys under {@code builds/<app>/<deployment>/} and
 * {@code build-cache/<app>/<scope>/}, each signed for one method (and for PUTs one content type).
 * This is the whole of a build's access to Slipway's data: the CodeBuild role itself may only write
 * its console log, so attacker code in a build (install scripts, the app's own build) holds nothing
 * that reaches another deployment, another app, another scope's cache, SSM or the admin token.
 */
public final class BuildUrlSigner {
    /**
     * How long a build's URLs live: over the build project's time limit (20 min) plus its queue limit
     * (30 min, template.yaml), so a build that may still run still has working URLs, and not much longer.
     */
    public static final Duration LIFETIME = Duration.ofHours(1);

    private final S3Presigner presigner;
    private final String bucket;
    private final Duration lifetime;

    public BuildUrlSigner(S3Presigner presigner, String bucket) {
        this(presigner, bucket, LIFETIME);
    }

    BuildUrlSigner(S3Presigner presigner, String bucket, Duration lifetime) {
        this.presigner = presigner;
        this.bucket = bucket;
        this.lifetime = lifetime;
    }

    /** The URLs of deployment {@code deploymentId} of {@code appId}, building for {@code scope}. */
    public BuildUrls sign(String appId, String deploymentId, EnvScope scope, Optional<String> lockfileHash) {
        PresignedGetObjectRequest source = get(SiteKeys.source(appId, deploymentId));
        String environment = get(SiteKeys.buildEnvironment(appId, deploymentId)).url().toString();
        String output = put(SiteKeys.output(appId, deploymentId), BuildUrls.OUTPUT_TYPE).url().toString();
        String log = put(SiteKeys.log(appId, deploymentId), BuildUrls.LOG_TYPE).url().toString();
        String cacheGet = "";
        String cachePut = "";
        String lockfile = "";
        if (lockfileHash.isEmpty()) {
            lockfile = put(SiteKeys.buildLockfile(appId, deploymentId), BuildUrls.LOCKFILE_TYPE).url().toString();
        }
        if (lockfileHash.isPresent()) {
            String key = SiteKeys.dependencyCache(appId, scope.id(), lockfileHash.get());
            cacheGet = get(key).url().toString();
            cachePut = put(key, BuildUrls.CACHE_TYPE).url().toString();
        }
        Instant expires = source.expiration();
        return new BuildUrls(source.url().toString(), environment, output, log, cacheGet, cachePut, lockfile, expires);
    }

    private PresignedGetObjectRequest get(String key) {
        return presigner.presignGetObject(p -> p.signatureDuration(lifetime).getObjectRequest(r -> r.bucket(bucket).key(key)));
    }

    private PresignedPutObjectRequest put(String key, String contentType) {
        return presigner.presignPutObject(p -> p.signatureDuration(lifetime)
                .putObjectRequest(r -> r.bucket(bucket).key(key).contentType(contentType)));
    }
}
