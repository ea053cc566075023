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

/** Calls a running {@link LocalRuntime}'s API with its admin token, as a client of `slipway up` would. */
public final class AdminApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminApi() {
    }

    /** {@code body} and {@code contentType} may be null (no body). */
    public static HttpResponse<String> send(LocalRuntime runtime, String method, String path, byte[] body, String contentType)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(runtime.apiUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("authorization", "Bearer " + runtime.adminToken());
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON body (or none, when {@code json} is null). */
    public static HttpResponse<String> json(LocalRuntime runtime, String method, String path, String json) throws Exception {
        return send(runtime, method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), json == null ? null : "application/json");
    }

    /** Polls a deployment until it is no longer RUNNING (at most 4 minutes: a cold build included) and returns it. */
    public static JsonNode awaitDeployment(LocalRuntime runtime, String appId, String deploymentId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            JsonNode d = Json.parse(json(runtime, "GET", "/apps/" + appId + "/deployments/" + deploymentId, null).body());
            if (!d.path("status").asText().equals("RUNNING")) {
                return d;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deployment " + deploymentId + " still running after 4 minutes");
    }
}
