package dev.slipway.shared.deploy.server.hosting;

import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.env.EnvScope;

/**
 * Where releases' servers run: a Node process per (release, scope) behind the local edge, a Lambda
 * version and alias in AWS; and per (release, preview) for a preview's own host, whose server gets the
 * preview's own values over the preview scope's (its database: docs/data.md). The deploy workflow publishes
 * a release's server before its alias moves; the cleanup removes it with the release, a preview's removal its own.
 */
public interface AppServers {
    /**
     * Makes the release's server of a scope answer (production's host; with PREVIEW the release's own host) and
     * smoke-checks its home page (within 30 s).
     */
    void publish(Release release, EnvScope scope) throws ServerCheckFailed;

    /** The same for the server of one preview's host: the preview scope's values and the preview's own over them. */
    void publishPreview(Release release, String preview) throws ServerCheckFailed;

    /** The server of the target's host: production's, or the preview's own. */
    default void publish(Release release, DeployTarget target) throws ServerCheckFailed {
        if (target instanceof DeployTarget.Preview p) {
            publishPreview(release, p.name());
        } else {
            publish(release, target.scope());
        }
    }

    /**
     * Whether the home page's status shows a server that is up: 2xx, or a redirect (3xx) — an app whose home sends
     * visitors to its login page is healthy (a real v0 dashboard answered 307 → /login and failed its check).
     */
    static boolean homePageAnswers(int status) {
        return status >= 200 && status < 400;
    }

    /** Stops and deletes what publish made for the release (all scopes and previews); missing is fine. */
    void remove(String appId, String releaseId);

    /** Stops and deletes the servers of one preview's host (every release's); missing is fine. */
    void removePreview(String appId, String preview);

    /** Thrown when the server does not start or its home page answers neither 2xx nor 3xx; message = the reason, logTail = the server's last log lines. */
    final class ServerCheckFailed extends Exception {
        private final String logTail;

        public ServerCheckFailed(String message, String logTail) {
            super(message);
            this.logTail = logTail == null ? "" : logTail;
        }

        public String logTail() {
            return logTail;
        }
    }
}
