package dev.slipway.shared.deploy.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
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
    private final URI base;
    private final String token;
    private final HttpClient http;

    public HttpEdgeRouter(URI base, String token) {
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public void point(String hostLabel, String releaseId, String tokenSha256) {
        Router.check(hostLabel, releaseId, tokenSha256);
        var json = Json.object().put("releaseId", releaseId);
        if (tokenSha256 != null) {
            json.put("tokenSha256", tokenSha256);
        }
        String body = Json.write(json);
        HttpResponse<String> r = send(request(hostLabel).PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json"));
        expect(r, "point " + hostLabel, 200, 204);
    }

    @Override
    public void remove(String hostLabel) {
        Router.check(hostLabel, null);
        HttpResponse<String> r = send(request(hostLabel).DELETE());
        expect(r, "remove " + hostLabel, 200, 204, 404);
    }

    @Override
    public Optional<RouteEntry> lookup(String hostLabel) {
        if (!SiteAddress.isRouterKey(hostLabel)) {
            return Optional.empty();
        }
        HttpResponse<String> r = send(request(hostLabel).GET());
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
        return HttpRequest.newBuilder(base.resolve("_slipway/routes/" + hostLabel))
                .timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("local edge at " + base + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
