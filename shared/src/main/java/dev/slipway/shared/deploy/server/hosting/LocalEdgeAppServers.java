package dev.slipway.shared.deploy.server.hosting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.routing.LocalEdgeAdmin;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The app servers of the local runtime: the local edge runs them (a Node process per release and
 * scope) and this client asks it through its admin API, with the router's bearer secret:
 * {@code POST /_slipway/servers/{appId}/{releaseId}/publish} ({@code {"scope","preview"?}} → 200, or 422
 * {@code {"reason","logTail"}}), {@code DELETE /_slipway/servers/{appId}/{releaseId}},
 * {@code DELETE /_slipway/servers/{appId}/previews/{preview}} and
 * {@code GET /_slipway/servers/{appId}/{releaseId}/logs?since=&limit=}.
 */
public final class LocalEdgeAppServers implements AppServers, ServerLogs {
    /** The smoke check's 30 s plus the time to unzip and start. */
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(75);

    private final LocalEdgeAdmin admin;

    public LocalEdgeAppServers(URI base, String token) {
        this.admin = new LocalEdgeAdmin(base, token);
    }

    @Override
    public void publish(Release release, EnvScope scope) throws ServerCheckFailed {
        publish(release, Json.object().put("scope", scope.id()));
    }

    @Override
    public void publishPreview(Release release, String preview) throws ServerCheckFailed {
        publish(release, Json.object().put("scope", EnvScope.PREVIEW.id()).put("preview", preview));
    }

    private void publish(Release release, ObjectNode which) throws ServerCheckFailed {
        if (release.server() == null) {
            return;
        }
        String body = Json.write(which);
        HttpResponse<String> r = admin.send(request(path(release.appId(), release.id()) + "/publish", PUBLISH_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json"));
        if (r.statusCode() == 200) {
            return;
        }
        if (r.statusCode() == 422) {
            JsonNode doc = Json.parse(r.body());
            throw new ServerCheckFailed(doc.path("reason").asText("the server did not answer"), doc.path("logTail").asText(""));
        }
        throw new IllegalStateException("local edge: publish " + release.id() + " failed with HTTP " + r.statusCode() + ": " + r.body());
    }

    @Override
    public void remove(String appId, String releaseId) {
        HttpResponse<String> r = admin.send(request(path(appId, releaseId), Duration.ofSeconds(30)).DELETE());
        if (r.statusCode() != 204 && r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IllegalStateException("local edge: remove server " + releaseId + " failed with HTTP " + r.statusCode());
        }
    }

    @Override
    public void removePreview(String appId, String preview) {
        if (!SiteAddress.isAppId(appId) || !SiteAddress.isRouterKey(preview + "--" + appId)) {
            throw new IllegalArgumentException("not an app and preview: " + appId + "/" + preview);
        }
        HttpResponse<String> r = admin.send(request("_slipway/servers/" + appId + "/previews/" + preview, Duration.ofSeconds(30)).DELETE());
        if (r.statusCode() != 204 && r.statusCode() != 404) {
            throw new IllegalStateException("local edge: remove the servers of preview " + preview + " failed with HTTP " + r.statusCode());
        }
    }

    @Override
    public Page read(String appId, String releaseId, Instant since, int limit) {
        String query = "?limit=" + limit + (since == null ? "" : "&since=" + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8));
        HttpResponse<String> r = admin.send(request(path(appId, releaseId) + "/logs" + query, Duration.ofSeconds(10)).GET());
        if (r.statusCode() == 404) {
            return new Page(List.of(), null);
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("local edge: logs of " + releaseId + " failed with HTTP " + r.statusCode());
        }
        JsonNode doc = Json.parse(r.body());
        List<Line> lines = new ArrayList<>();
        for (JsonNode l : doc.path("lines")) {
            lines.add(new Line(Instant.parse(l.path("at").asText()), l.path("text").asText()));
        }
        JsonNode next = doc.get("next");
        return new Page(lines, next == null || next.isNull() ? null : Instant.parse(next.asText()));
    }

    private static String path(String appId, String releaseId) {
        if (!SiteAddress.isReleaseId(releaseId) || !appId.matches("[a-z][a-z0-9-]{1,39}")) {
            throw new IllegalArgumentException("not an app and release id: " + appId + "/" + releaseId);
        }
        return "_slipway/servers/" + appId + "/" + releaseId;
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return admin.request(path, timeout);
    }
}
