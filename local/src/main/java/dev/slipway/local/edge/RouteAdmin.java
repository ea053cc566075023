package dev.slipway.local.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

import static dev.slipway.local.edge.EdgeReplies.json;

/**
 * The route API the deploy core calls (through {@code HttpEdgeRouter}), on the edge's port, for a
 * loopback Host only, with the router secret as bearer token: {@code GET /_slipway/routes},
 * {@code GET|PUT|DELETE /_slipway/routes/{hostLabel}} (PUT body
 * {@code {"releaseId":"...","tokenSha256":"..."?}}). Changes go to the {@link RouteJournal}.
 */
final class RouteAdmin {
    private static final String ROUTES = "/_slipway/routes";
    private static final int MAX_ADMIN_BODY = 16 * 1024;

    private final RouteJournal routes;
    private final byte[] routerToken;

    RouteAdmin(RouteJournal routes, String routerToken) {
        this.routes = routes;
        this.routerToken = routerToken.getBytes(StandardCharsets.UTF_8);
    }

    void handle(HttpExchange ex, String rawPath) throws IOException {
        ex.getResponseHeaders().set("cache-control", "no-store");
        if (!authorized(ex, routerToken)) {
            ex.getResponseHeaders().set("www-authenticate", "Bearer realm=\"slipway-edge\"");
            json(ex, 401, Json.object().put("error", "unauthorized"));
            return;
        }
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        if (rawPath.equals(ROUTES) || rawPath.equals(ROUTES + "/")) {
            if (!method.equals("GET")) {
                ex.getResponseHeaders().set("allow", "GET");
                json(ex, 405, Json.object().put("error", "method not allowed"));
                return;
            }
            ObjectNode all = Json.object();
            routes.snapshot().forEach((k, v) -> all.put(k, v.encode()));
            json(ex, 200, Json.object().set("routes", all));
            return;
        }
        if (!rawPath.startsWith(ROUTES + "/")) {
            json(ex, 404, Json.object().put("error", "no such admin resource"));
            return;
        }
        String label = rawPath.substring(ROUTES.length() + 1);
        if (!SiteAddress.isRouterKey(label)) {
            json(ex, 400, Json.object().put("error", "not a routable host label: {appId} or {preview}--{appId}"));
            return;
        }
        switch (method) {
            case "GET" -> {
                RouteEntry entry = routes.get(label);
                if (entry == null) {
                    json(ex, 404, Json.object().put("error", "no route").put("hostLabel", label));
                } else {
                    json(ex, 200, describe(label, entry));
                }
            }
            case "PUT" -> {
                byte[] body = ex.getRequestBody().readNBytes(MAX_ADMIN_BODY + 1);
                RouteEntry entry = body.length <= MAX_ADMIN_BODY ? parseEntry(body) : null;
                if (entry == null) {
                    json(ex, 400, Json.object().put("error",
                            "body must be {\"releaseId\":\"<lowercase ULID>\",\"tokenSha256\":\"<lowercase hex SHA-256>\"?}"));
                    return;
                }
                routes.update(label, entry);
                json(ex, 200, describe(label, entry));
            }
            case "DELETE" -> {
                if (routes.update(label, null) == null) {
                    json(ex, 404, Json.object().put("error", "no route").put("hostLabel", label));
                } else {
                    ex.sendResponseHeaders(204, -1);
                }
            }
            default -> {
                ex.getResponseHeaders().set("allow", "GET, PUT, DELETE");
                json(ex, 405, Json.object().put("error", "method not allowed"));
            }
        }
    }

    private static ObjectNode describe(String label, RouteEntry entry) {
        ObjectNode o = Json.object().put("hostLabel", label).put("releaseId", entry.releaseId());
        if (entry.isProtected()) {
            o.put("tokenSha256", entry.tokenSha256());
        }
        return o;
    }

    /** A PUT body, or null when it is not {"releaseId", "tokenSha256"?} with valid values. */
    private static RouteEntry parseEntry(byte[] body) {
        try {
            JsonNode doc = Json.parse(new String(body, StandardCharsets.UTF_8));
            JsonNode id = doc.get("releaseId");
            JsonNode hash = doc.get("tokenSha256");
            if (id == null || !id.isTextual() || (hash != null && !hash.isNull() && !hash.isTextual())) {
                return null;
            }
            String h = hash == null || hash.isNull() ? null : hash.asText();
            return SiteAddress.isReleaseId(id.asText()) && (h == null || RouteEntry.isSha256Hex(h))
                    ? new RouteEntry(id.asText(), h) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The request shows exactly the router secret as its bearer token (the servers' admin API checks the same). */
    static boolean authorized(HttpExchange ex, byte[] routerToken) {
        String auth = ex.getRequestHeaders().getFirst("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // The exact token: no trimming, which would also drop control characters around it.
        return MessageDigest.isEqual(auth.substring(7).getBytes(StandardCharsets.UTF_8), routerToken);
    }

    /** The admin API answers only to a loopback Host, so a site (or a rebinding DNS name) cannot reach it. */
    static boolean isLoopbackHost(HttpExchange ex) {
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            return false;
        }
        String host = ex.getRequestHeaders().getFirst("host");
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(0, end + 1);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
    }
}
