package dev.slipway.shared.deploy.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The local edge's admin API ({@code /_slipway/…}) with its bearer secret: what the local router
 * ({@link HttpEdgeRouter}) and the local app servers call.
 */
public final class LocalEdgeAdmin {
    private final URI base;
    private final String token;
    private final HttpClient http;

    public LocalEdgeAdmin(URI base, String token) {
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A request to {@code path} (relative to the edge's base, e.g. {@code _slipway/routes/shop}). */
    public HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("authorization", "Bearer " + token);
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("local edge at " + base + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
