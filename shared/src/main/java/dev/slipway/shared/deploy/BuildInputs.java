package dev.slipway.shared.deploy;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * What ExportSource hands a build besides its source: the app's environment values of the target's
 * scope as {@code env.json} beside the source (the build reads them through its URL; it has no SSM
 * rights), and the {@link BuildUrls} of everything it may touch. Trusted code does all of this, so
 * which app, deployment and scope a build serves is decided here and nowhere in the build.
 */
public final class BuildInputs {
    private final ReleaseFiles files;
    private final AppEnvironment environment;
    private final BuildUrlSigner signer;

    public BuildInputs(ReleaseFiles files, AppEnvironment environment, BuildUrlSigner signer) {
        this.files = files;
        this.environment = environment;
        this.signer = signer;
    }

    /**
     * Writes the deployment's env.json (encrypted at rest by the bucket's default encryption) and mints
     * the build's URLs; {@code sourceZip} (the exported commit) gives the dependency cache key.
     */
    public BuildUrls prepare(String appId, String deploymentId, EnvScope scope, Path sourceZip, BuildSettings settings)
            throws IOException {
        byte[] env = environmentJson(appId, scope);
        files.s3().putObject(r -> r.bucket(files.bucket()).key(SiteKeys.buildEnvironment(appId, deploymentId))
                .contentType("application/json"), RequestBody.fromBytes(env));
        return signer.sign(appId, deploymentId, scope, DependencyCacheKey.of(sourceZip, settings));
    }

    /** The values of {@code scope} as one JSON object, names in order: what a build of that scope gets, and only that. */
    public byte[] environmentJson(String appId, EnvScope scope) {
        return Json.write(new TreeMap<>(environment.values(appId, scope))).getBytes(StandardCharsets.UTF_8);
    }

    /** The build has ended: its values need not wait for the end of the deployment. */
    public void removeEnvironment(String appId, String deploymentId) {
        files.s3().deleteObject(r -> r.bucket(files.bucket()).key(SiteKeys.buildEnvironment(appId, deploymentId)));
    }
}
