package dev.slipway.shared.deploy.routing;

import dev.slipway.shared.config.Config;

import java.net.URI;
import java.util.Optional;

/**
 * Which release a host serves: a key-value map from host label ({@code shop}, {@code feature-x--shop})
 * to a {@link RouteEntry} (release id, and the token hash of a protected preview). In AWS the
 * CloudFront KeyValueStore the viewer-request function reads; on the laptop the local edge. Release
 * hosts ({@code {releaseId}--{appId}}) need no entry, except in AWS for a release with a server,
 * where the entry carries its {@link ServerRoute}.
 */
public interface Router {
    /** Points a host label at a public release (creates or replaces the entry). */
    default void point(String hostLabel, String releaseId) {
        point(hostLabel, releaseId, null);
    }

    /**
     * Points a host label at a release (creates or replaces the entry). {@code tokenSha256} is the
     * lowercase hex SHA-256 of the preview token the edge must be shown, or null for a public host.
     */
    void point(String hostLabel, String releaseId, String tokenSha256);

    /**
     * Points a host label at an entry that may carry a {@link ServerRoute} (full-stack releases in AWS);
     * a release host ({@code {releaseId}--{appId}}) takes only an entry of its own release with a server.
     * Routers that reach servers another way (the local edge) refuse server routes.
     */
    default void point(String hostLabel, RouteEntry entry) {
        if (entry.server() != null) {
            throw new UnsupportedOperationException("this router does not hold server routes");
        }
        point(hostLabel, entry.releaseId(), entry.tokenSha256());
    }

    /** Removes the entry; removing a missing one is not an error. */
    void remove(String hostLabel);

    Optional<RouteEntry> lookup(String hostLabel);

    /**
     * The router this environment names: {@link RoutingEnv#EDGE_KVS_ARN} (AWS) or
     * {@link RoutingEnv#EDGE_ROUTER_URL} with {@link RoutingEnv#EDGE_ROUTER_TOKEN} (local).
     */
    static Router from(Config config) {
        // The local runtime sets the edge URL on top of the template's environment (which names
        // the KVS), so the local edge wins where both are present.
        Optional<String> url = config.get(RoutingEnv.EDGE_ROUTER_URL);
        if (url.isPresent()) {
            return new HttpEdgeRouter(URI.create(url.get()), config.require(RoutingEnv.EDGE_ROUTER_TOKEN));
        }
        Optional<String> arn = config.get(RoutingEnv.EDGE_KVS_ARN);
        if (arn.isPresent()) {
            return KeyValueStoreRouter.create(config, arn.get());
        }
        throw new IllegalStateException("no edge router configured: set " + RoutingEnv.EDGE_KVS_ARN + " (AWS) or "
                + RoutingEnv.EDGE_ROUTER_URL + " and " + RoutingEnv.EDGE_ROUTER_TOKEN + " (local)");
    }

    /** {@link #check(String, String, String)} for an entry; release hosts take their own release's server route only. */
    static void checkEntry(String hostLabel, RouteEntry entry) {
        if (isReleaseHost(hostLabel)) {
            if (entry.server() == null || entry.tokenSha256() != null
                    || !hostLabel.startsWith(entry.releaseId() + "--")) {
                throw new IllegalArgumentException("a release host holds only its own release's server route: " + hostLabel);
            }
            return;
        }
        check(hostLabel, entry.releaseId(), entry.tokenSha256());
    }

    /** A label to remove: a router key, or a release host (whose entry only a server route makes). */
    static void checkRemoval(String hostLabel) {
        if (!isReleaseHost(hostLabel)) {
            check(hostLabel, null);
        }
    }

    /** {@code {releaseId}--{appId}}: the host of one release, held by the router only for a server. */
    static boolean isReleaseHost(String hostLabel) {
        return SiteAddress.parseHost(hostLabel)
                .filter(t -> !t.needsLookup() && hostLabel.equals(t.releaseId() + "--" + t.appId()))
                .isPresent();
    }

    /** Rejects what no host could ask for, before any store is written. */
    static void check(String hostLabel, String releaseId) {
        check(hostLabel, releaseId, null);
    }

    /** {@link #check(String, String)}, and the token hash is null or lowercase 64-hex. */
    static void check(String hostLabel, String releaseId, String tokenSha256) {
        if (!SiteAddress.isRouterKey(hostLabel)) {
            throw new IllegalArgumentException("not a routable host label: " + hostLabel);
        }
        if (releaseId != null && !SiteAddress.isReleaseId(releaseId)) {
            throw new IllegalArgumentException("not a release id (lowercase ULID): " + releaseId);
        }
        if (tokenSha256 != null && !RouteEntry.isSha256Hex(tokenSha256)) {
            throw new IllegalArgumentException("not a token hash (lowercase hex SHA-256)");
        }
    }
}
