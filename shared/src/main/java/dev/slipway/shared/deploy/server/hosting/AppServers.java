package dev.slipway.shared.deploy.server.hosting;

import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Release;

/**
 * Where releases' servers run: a Node process per (release, scope) behind the local edge, a Lambda
 * version and alias in AWS. The deploy workflow publishes a release's server before its alias moves;
 * the cleanup removes it with the release.
 */
public interface AppServers {
    /** Makes the release's server answer for the target's scope and smoke-checks its home page (within 30 s). */
    void publish(Release release, DeployTarget target) throws ServerCheckFailed;

    /**
     * Whether the home page's status shows a server that is up: 2xx, or a redirect (3xx) — an app whose home sends
     * visitors to its login page is healthy (a real v0 dashboard answered 307 → /login and failed its check).
     */
    static boolean homePageAnswers(int status) {
        return status >= 200 && status < 400;
    }

    /** Stops and deletes what publish made for the release (all scopes); missing is fine. */
    void remove(String appId, String releaseId);

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
