package dev.slipway.shared.deploy.server.hosting;

import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.env.EnvScope;

import java.time.Instant;
import java.util.List;

/** A stack that runs no app servers: a server release cannot go live (clearly), removal and logs are no-ops. */
public final class NoAppServers implements AppServers, ServerLogs {
    @Override
    public void publish(Release release, EnvScope scope) throws ServerCheckFailed {
        throw new ServerCheckFailed("this Slipway runs no app servers (APP_SERVERS is not set), so the "
                + (release.server() == null ? "release" : release.server().framework() + " server") + " of release "
                + release.id() + " cannot run", "");
    }

    @Override
    public void publishPreview(Release release, String preview) throws ServerCheckFailed {
        publish(release, EnvScope.PREVIEW);
    }

    @Override
    public void remove(String appId, String releaseId) {
        // nothing was made
    }

    @Override
    public void removePreview(String appId, String preview) {
        // nothing was made
    }

    @Override
    public Page read(String appId, String releaseId, Instant since, int limit) {
        return new Page(List.of(), null);
    }
}
