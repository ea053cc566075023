package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.github.GitHubSync;
import dev.slipway.shared.github.SyncJob;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GitHub sync worker, invoked asynchronously by the webhook with one {@link SyncJob}: fetches the
 * pushed branch through the git-URL import and deploys it (or removes a deleted branch's preview).
 */
public final class GitHubSyncHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final GitHubSync sync;

    public GitHubSyncHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    public GitHubSyncHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private GitHubSyncHandler(DeployFunctionServices services) {
        this.sync = services.gitHub();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        GitHubSync.Result r = sync.run(SyncJob.fromMap(input));
        Map<String, Object> out = new LinkedHashMap<>();
        if (r.imported() != null) {
            out.put("commit", r.imported().commit());
        }
        if (r.deployment() != null) {
            out.put("deploymentId", r.deployment().id());
        }
        out.put("preview", r.preview());
        out.put("previewRemoved", r.previewRemoved());
        return out;
    }
}
