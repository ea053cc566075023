package dev.slipway.local.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.slipway.local.servers.AppServerPool;
import dev.slipway.local.servers.NodeServer;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.deploy.server.hosting.AppServers.ServerCheckFailed;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static dev.slipway.local.edge.EdgeReplies.json;

/**
 * The servers' admin API (what {@code LocalEdgeAppServers} calls), beside the route API and guarded the same
 * way: {@code POST /_slipway/servers/{appId}/{releaseId}/publish} {@code {"scope","preview"?}} → 200, or 422
 * {@code {"reason","logTail"}}; {@code DELETE /_slipway/servers/{appId}/{releaseId}} → 204;
 * {@code DELETE /_slipway/servers/{appId}/previews/{preview}} → 204 (the preview's own servers);
 * {@code GET /_slipway/servers/{appId}/{releaseId}/logs?since=&limit=} → {@code {"lines":[{"at","text"}],"next"}}.
 */
final class ServerAdmin {
    static final String PREFIX = "/_slipway/servers/";

    private final AppServerPool pool;
    private final byte[] routerToken;

    ServerAdmin(AppServerPool pool, String routerToken) {
        this.pool = pool;
        this.routerToken = routerToken.getBytes(StandardCharsets.UTF_8);
    }

    void handle(HttpExchange ex, String rawPath) throws IOException {
        ex.getResponseHeaders().set("cache-control", "no-store");
        if (!RouteAdmin.authorized(ex, routerToken)) {
            json(ex, 401, Json.object().put("error", "unauthorized"));
            return;
        }
        String[] parts = rawPath.substring(PREFIX.length()).split("/", -1);
        if (parts.length == 3 && parts[1].equals("previews") && SiteAddress.isAppId(parts[0])
                && SiteAddress.isRouterKey(parts[2] + "--" + parts[0]) && ex.getRequestMethod().equalsIgnoreCase("DELETE")) {
            pool.removePreview(parts[0], parts[2]);
            ex.sendResponseHeaders(204, -1);
            return;
        }
        if (parts.length < 2 || parts.length > 3 || !SiteAddress.isAppId(parts[0]) || !SiteAddress.isReleaseId(parts[1])) {
            json(ex, 404, Json.object().put("error", "no such admin resource"));
            return;
        }
        String app = parts[0];
        String release = parts[1];
        String action = parts.length == 3 ? parts[2] : "";
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        switch (method + " " + action) {
            case "POST publish" -> publish(ex, app, release);
            case "DELETE " -> {
                pool.remove(app, release);
                ex.sendResponseHeaders(204, -1);
            }
            case "GET logs" -> logs(ex, app, release);
            default -> json(ex, 405, Json.object().put("error", "method not allowed"));
        }
    }

    private void publish(HttpExchange ex, String app, String release) throws IOException {
        NodeServer.Key key;
        try {
            JsonNode body = Json.parse(new String(ex.getRequestBody().readNBytes(4096), StandardCharsets.UTF_8));
            EnvScope scope = EnvScope.of(body.path("scope").asText());
            String preview = body.path("preview").isTextual() ? body.get("preview").asText() : null;
            if (preview != null && (scope != EnvScope.PREVIEW || !SiteAddress.isRouterKey(preview + "--" + app))) {
                throw new IllegalArgumentException("not a preview name");
            }
            key = new NodeServer.Key(app, release, scope, preview);
        } catch (RuntimeException e) {
            json(ex, 400, Json.object().put("error", "body must be {\"scope\":\"production\"|\"preview\",\"preview\"?:name}"));
            return;
        }
        EnvScope scope = key.scope();
        try {
            pool.publish(key);
            json(ex, 200, Json.object().put("appId", app).put("releaseId", release).put("scope", scope.id()));
        } catch (ServerCheckFailed e) {
            json(ex, 422, Json.object().put("reason", e.getMessage()).put("logTail", e.logTail()));
        }
    }

    private void logs(HttpExchange ex, String app, String release) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        Instant since;
        int limit;
        try {
            since = q.containsKey("since") ? Instant.parse(q.get("since")) : null;
            limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : 100;
        } catch (RuntimeException e) {
            json(ex, 400, Json.object().put("error", "since must be an instant, limit a number"));
            return;
        }
        ServerLogs.Page page = pool.logs(app, release, since, Math.max(1, Math.min(limit, 1000)));
        ObjectNode out = Json.object();
        ArrayNode lines = out.putArray("lines");
        page.lines().forEach(l -> lines.add(Json.object().put("at", l.at().toString()).put("text", l.text())));
        out.put("next", page.next() == null ? null : page.next().toString());
        json(ex, 200, out);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
