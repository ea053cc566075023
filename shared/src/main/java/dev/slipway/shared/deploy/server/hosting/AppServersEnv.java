package dev.slipway.shared.deploy.server.hosting;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.routing.RoutingEnv;

import java.net.URI;

/** {@code APP_SERVERS}: which {@link AppServers} (and {@link ServerLogs}) a stack runs. */
public final class AppServersEnv {
    public static final String APP_SERVERS = "APP_SERVERS";
    /** The local edge runs a Node process per release and scope ({@link LocalEdgeAppServers}). */
    public static final String LOCAL = "local";
    /** A Lambda function per app, a version and alias per release (deploy/server/lambda). */
    public static final String LAMBDA = "lambda";
    /** No servers ({@link NoAppServers}); also when the variable is missing. */
    public static final String NONE = "none";

    private AppServersEnv() {
    }

    /** The kind this environment names: {@link #LOCAL}, {@link #NONE} (default) or {@link #LAMBDA}. */
    public static String kind(Config config) {
        return config.get(APP_SERVERS).filter(s -> !s.isBlank()).orElse(NONE);
    }

    /** The local edge's servers, reached like its router. */
    public static LocalEdgeAppServers local(Config config) {
        return new LocalEdgeAppServers(URI.create(config.require(RoutingEnv.EDGE_ROUTER_URL)), config.require(RoutingEnv.EDGE_ROUTER_TOKEN));
    }
}
