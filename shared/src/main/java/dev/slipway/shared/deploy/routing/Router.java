package dev.slipway.shared.deploy.routing;

import dev.slipway.shared.config.Config;

import java.util.Optional;

/**
 * Which release a host serves: a key-value map from host label ({@code shop}, {@code feature-x--shop})
 * to release id. In AWS the CloudFront KeyValueStore the viewer-request function reads; on the
 * laptop the local edge. Release hosts ({@code {releaseId}--{appId}}) need no entry.
 */
public interface Router {
    /** Points a host label at a release (creates or replaces the entry). */
    void point(String hostLabel, String releaseId);

    /** Placeholder until protected entries land (h-edge): a protected entry is refused. */
    default void point(String hostLabel, String releaseId, String tokenSha256) {
        if (tokenSha256 != null) {
            throw new UnsupportedOperationException("protected router entries are not supported yet");
        }
        point(hostLabel, releaseId);
    }

    /** Removes the entry; removing a missing one is not an error. */
    void remove(String hostLabel);

    Optional<String> lookup(String hostLabel);

    /**
     * The router this environment names: {@link RoutingEnv#EDGE_KVS_ARN} (AWS) or
     * {@link RoutingEnv#EDGE_ROUTER_URL} with {@link RoutingEnv#EDGE_ROUTER_TOKEN} (local).
     */
    static Router from(Config config) {
        // The local runtime sets the edge URL on top of the template's environment (which names
        // the KVS), so the local edge wins where both are present.
        Optional<String> url = config.get(RoutingEnv.EDGE_ROUTER_URL);
        if (url.isPresent()) {
            return new HttpEdgeRouter(java.net.URI.create(url.get()), config.require(RoutingEnv.EDGE_ROUTER_TOKEN));
        }
        Optional<String> arn = config.get(RoutingEnv.EDGE_KVS_ARN);
        if (arn.isPresent()) {
            return KeyValueStoreRouter.create(config, arn.get());
        }
        throw new IllegalStateException("no edge router configured: set " + RoutingEnv.EDGE_KVS_ARN + " (AWS) or "
                + RoutingEnv.EDGE_ROUTER_URL + " and " + RoutingEnv.EDGE_ROUTER_TOKEN + " (local)");
    }

    /** Rejects what no host could ask for, before any store is written. */
    static void check(String hostLabel, String releaseId) {
        if (!SiteAddress.isRouterKey(hostLabel)) {
            throw new IllegalArgumentException("not a routable host label: " + hostLabel);
        }
        if (releaseId != null && !SiteAddress.isReleaseId(releaseId)) {
            throw new IllegalArgumentException("not a release id (lowercase ULID): " + releaseId);
        }
    }
}
