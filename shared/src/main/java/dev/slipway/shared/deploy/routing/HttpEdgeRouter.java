package dev.slipway.shared.deploy.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The router of the local runtime: the local edge's admin API
 * ({@code PUT|GET|DELETE /_slipway/routes/{hostLabel}}, body {@code {"releaseId","tokenSha256"?}})
 * with its bearer secret.
 */
public final class HttpEdgeRouter implements Router {
    private final LocalEdgeAdmin admin;

    public HttpEdgeRouter(URI base, String token) {
        this.admin = new LocalEdgeAdmin(base, token);
    }

    @Override
    public void point(String hostLabel, String releaseId, String tokenSha256) {
        Router.check(hostLabel, releaseId, tokenSha256);
        var json = Json.object().put("releaseId", releaseId);
        if (tokenSha256 != null) {
            json.put("tokenSha256", tokenSha256);
        }
        String body = Json.write(json);
        HttpResponse<String> r = admin.send(request(hostLabel).PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json"));
        expect(r, "point " + hostLabel, 200, 204);
    }

    @Override
    public void remove(String hostLabel) {
        Router.check(hostLabel, null);
        HttpResponse<String> r = admin.send(request(hostLabel).DELETE());
        expect(r, "remove " + hostLabel, 200, 204, 404);
    }

    @Override
    public Optional<RouteEntry> lookup(String hostLabel) {
        if (!SiteAddress.isRouterKey(hostLabel)) {
            return Optional.empty();
        }
        HttpResponse<String> r = admin.send(request(hostLabel).GET());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, "lookup " + hostLabel, 200);
        JsonNode doc = Json.parse(r.body());
        JsonNode id = doc.get("releaseId");
        JsonNode hash = doc.get("tokenSha256");
        if (id == null || !id.isTextual() || (hash != null && !hash.isTextual() && !hash.isNull())) {
            return Optional.empty();
        }
        String h = hash == null || hash.isNull() ? null : hash.asText();
        return SiteAddress.isReleaseId(id.asText()) && (h == null || RouteEntry.isSha256Hex(h))
                ? Optional.of(new RouteEntry(id.asText(), h)) : Optional.empty();
    }

    private HttpRequest.Builder request(String hostLabel) {
        return admin.request("_slipway/routes/" + hostLabel, Duration.ofSeconds(10));
    }

    private static void expect(HttpResponse<String> r, String what, int... statuses) {
        for (int s : statuses) {
            if (r.statusCode() == s) {
                return;
            }
        }
        throw new IllegalStateException("local edge: " + what + " failed with HTTP " + r.statusCode() + ": " + r.body());
    }
}
