package dev.slipway.shared.deploy.routing;

/** Environment variables that choose and reach the edge router (to move into EnvNames). */
public final class RoutingEnv {
    /** ARN of the CloudFront KeyValueStore the viewer-request function reads (AWS). */
    public static final String EDGE_KVS_ARN = "EDGE_KVS_ARN";
    /** Base URL of the local edge, e.g. http://127.0.0.1:8788 (local runtime). */
    public static final String EDGE_ROUTER_URL = "EDGE_ROUTER_URL";
    /** Bearer secret of the local edge's admin API; made by the local runtime, not the admin token. */
    public static final String EDGE_ROUTER_TOKEN = "EDGE_ROUTER_TOKEN";

    private RoutingEnv() {
    }
}
