package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Calls a running Slipway's API with its admin token, as a client of `slipway up` would.
 * {@link LocalSlipway#api()} hands one out; it follows the runtime across a restart.
 */
public final class AdminApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Supplier<String> url;
    private final Supplier<String> token;

    /** Read on each call: the URL and token of whatever runs now (a restart changes the port). */
    public AdminApi(Supplier<String> url, Supplier<String> token) {
        this.url = url;
        this.token = token;
    }

    /** The API's base URL: {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url.get();
    }

    /** A JSON body (or none, when {@code json} is null). */
    public HttpResponse<String> json(String method, String path, String json) throws Exception {
        return send(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), json == null ? null : "application/json");
    }

    /** {@code body} and {@code contentType} may be null (no body). */
    public HttpResponse<String> send(String method, String path, byte[] body, String contentType) throws Exception {
        return send(request(method, path, body, contentType).build());
    }

    /** A request with the admin token, to add headers to (an Idempotency-Key) or to send more than once. */
    public HttpRequest.Builder request(String method, String path, byte[] body, String contentType) {
        return anonymousRequest(method, path, body, contentType).header("authorization", "Bearer " + token.get());
    }

    /** A request without the admin token. */
    public HttpRequest.Builder anonymousRequest(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        return b;
    }

    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Polls a deployment until it is no longer RUNNING (at most 4 minutes: a cold build included) and returns it. */
    public JsonNode awaitDeployment(String appId, String deploymentId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(json("GET", "/apps/" + appId + "/deployments/" + deploymentId, null).body());
            if (!d.path("status").asText().equals("RUNNING")) {
                return d;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deployment " + deploymentId + " still running after 4 minutes");
    }
}
