package dev.slipway.shared.gitserver;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.NewDeployment;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.preview.NewPreview;
import dev.slipway.shared.deploy.preview.Previews;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * What a push deploys, by the app's {@link GitSettings#deployOnPush()}: main's new commit to
 * production, another branch's to its preview (created on its first push). A deployment that
 * cannot start (nothing to build, a pinned production …) never fails the push: the pusher reads why
 * in a {@code remote:} line.
 */
public final class PushDeploys {
    private static final Logger LOG = LoggerFactory.getLogger(PushDeploys.class);
    private final DeployService deploys;
    private final Previews previews;

    public PushDeploys(DeployService deploys, Previews previews) {
        this.deploys = deploys;
        this.previews = previews;
    }

    /** Starts what {@code settings} asks for after {@code moved}; the line to show the pusher, if any. */
    public Optional<String> after(String appId, GitSettings settings, PushedBranch moved, Actor actor) {
        if (moved.after() == null || settings.deployOnPush() == GitSettings.DeployOnPush.OFF) {
            return Optional.empty();
        }
        boolean main = moved.branch().equals(dev.slipway.shared.git.S3DfsRepository.DEFAULT_BRANCH);
        if (!main && settings.deployOnPush() != GitSettings.DeployOnPush.ALL) {
            return Optional.empty();
        }
        try {
            if (main) {
                var d = deploys.start(appId, new NewDeployment(moved.after().name(), DeployTarget.parse("production"), null), actor);
                return Optional.of("deployment " + d.id() + " started: production from " + moved.after().abbreviate(10).name());
            }
            var p = previews.create(appId, new NewPreview(moved.branch(), null, null, null), actor);
            return Optional.of("deployment " + p.deployment().id() + " started: preview " + p.preview().name()
                    + " from " + moved.after().abbreviate(10).name());
        } catch (RuntimeException e) {
            LOG.warn("deploy on push of {} {} did not start", appId, moved.branch(), e);
            return Optional.of("no deployment started for " + moved.branch() + ": " + e.getMessage());
        }
    }
}
