package dev.slipway.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

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
}
