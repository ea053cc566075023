package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.env.EnvScope;

import java.util.Optional;

/**
 * The edge router in AWS when apps have servers: pointing a host at a full-stack release writes its
 * server route into the same entry, so promote, rollback and pin move files and server together in
 * one KeyValueStore write. The app's own host gets the production scope's alias, a preview's host the
 * preview's own ({@code pv-<preview>-<release>}).
 */
public final class ServerRouting implements Router {
    private final Router edge;
    private final LambdaAppServers servers;
    private final ReleaseStore releases;

    public ServerRouting(Router edge, LambdaAppServers servers, ReleaseStore releases) {
        this.edge = edge;
        this.servers = servers;
        this.releases = releases;
    }

    @Override
    public void point(String hostLabel, String releaseId, String tokenSha256) {
        Router.check(hostLabel, releaseId, tokenSha256);
        String appId = SiteAddress.parseHost(hostLabel).orElseThrow().appId();
        Release release = releases.get(appId, releaseId).orElse(null);
        RouteEntry entry = new RouteEntry(releaseId, tokenSha256);
        if (release != null && release.server() != null) {
            // the app's host: production's server; a preview's host: the preview's own (its own values)
            entry = entry.withServer(hostLabel.equals(appId) ? servers.route(release, EnvScope.PRODUCTION)
                    : servers.route(release, hostLabel.substring(0, hostLabel.indexOf("--"))));
        }
        edge.point(hostLabel, entry);
    }

    @Override
    public void point(String hostLabel, RouteEntry entry) {
        edge.point(hostLabel, entry);
    }

    @Override
    public void remove(String hostLabel) {
        edge.remove(hostLabel);
    }

    @Override
    public Optional<RouteEntry> lookup(String hostLabel) {
        return edge.lookup(hostLabel);
    }
}
