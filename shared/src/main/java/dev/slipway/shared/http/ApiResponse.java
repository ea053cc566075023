package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds API Gateway HTTP API (payload v2) responses: JSON bodies and RFC 9457 problems. */
public final class ApiResponse {
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";

    private ApiResponse() {
    }

    public static APIGatewayV2HTTPResponse json(int status, Object body) {
        return json(status, body, Map.of());
    }

    public static APIGatewayV2HTTPResponse json(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = baseHeaders(JSON);
        headers.putAll(extraHeaders);
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(headers)
                .withBody(Json.write(body))
                .withIsBase64Encoded(false)
                .build();
    }

    /** Marks an answer holding a secret shown once (a new token, a hook URL): Idempotency never keeps its body. */
    public static final String SHOWN_ONCE_HEADER = "x-slipway-shown-once";

    /** A JSON answer holding a secret that is shown only here. */
    public static APIGatewayV2HTTPResponse jsonShownOnce(int status, Object body, Map<String, String> extraHeaders) {
        APIGatewayV2HTTPResponse r = json(status, body, extraHeaders);
        r.getHeaders().put(SHOWN_ONCE_HEADER, "true");
        return r;
    }

    static boolean holdsSecret(APIGatewayV2HTTPResponse r) {
        return r.getHeaders() != null && "true".equals(r.getHeaders().get(SHOWN_ONCE_HEADER));
    }

    /** Plain text (build logs), UTF-8. */
    public static APIGatewayV2HTTPResponse text(int status, String body) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(baseHeaders("text/plain; charset=utf-8"))
                .withBody(body)
                .withIsBase64Encoded(false)
                .build();
    }

    public static APIGatewayV2HTTPResponse problem(ProblemException p, String instance, String requestId) {
        ObjectNode body = Json.object();
        body.put("type", p.type().uri());
        body.put("title", p.type().title());
        body.put("status", p.type().status());
        if (p.detail() != null) {
            body.put("detail", p.detail());
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        if (!p.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (FieldError e : p.errors()) {
                errors.addObject().put("pointer", e.pointer()).put("detail", e.detail());
            }
        }
        Map<String, String> headers = baseHeaders(PROBLEM_JSON);
        if (p.type() == ProblemType.UNAUTHORIZED) {
            headers.put("www-authenticate", "Bearer realm=\"slipway\"");
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(p.type().status())
                .withHeaders(headers)
                .withBody(Json.write(body))
                .withIsBase64Encoded(false)
                .build();
    }

    private static Map<String, String> baseHeaders(String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", contentType);
        // API answers carry state that changes; never let a proxy serve a stale one.
        headers.put("cache-control", "no-store");
        headers.put("x-content-type-options", "nosniff");
        return headers;
    }
}
