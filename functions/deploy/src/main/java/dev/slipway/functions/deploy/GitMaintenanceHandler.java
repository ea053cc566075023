package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.gitserver.Mirrors;
import dev.slipway.shared.gitserver.RetiredPacks;

import java.util.Map;

/**
 * The git maintenance schedule (template.yaml {@code GitMaintenanceSchedule}, every minute; locally
 * the {@code slipway up} timer): pushes the mirrors that are due and behind, and deletes the files of
 * packs replaced more than {@link RetiredPacks#GRACE} ago. Apart from
 * {@link GitHandler} so that it holds only the grants a mirror run needs.
 */
public final class GitMaintenanceHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final String ACTOR = "git-maintenance";
    private final Mirrors mirrors;
    private final RetiredPacks retired;

    public GitMaintenanceHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    public GitMaintenanceHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private GitMaintenanceHandler(DeployFunctionServices services) {
        this.mirrors = services.mirrors();
        this.retired = services.retiredPacks();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Actor actor = new Actor(ACTOR, context == null ? null : context.getAwsRequestId(), null);
        int pushed = mirrors.syncDue(actor);
        int deleted = retired.deleteExpired(actor);
        return Map.of("mirrorsPushed", pushed, "retiredPacksDeleted", deleted);
    }
}
