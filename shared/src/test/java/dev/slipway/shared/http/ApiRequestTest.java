package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiRequestTest {
    private static ApiRequest request(String contentType, String body, boolean base64) {
        APIGatewayV2HTTPEvent e = APIGatewayV2HTTPEvent.builder()
                .withHeaders(contentType == null ? Map.of() : Map.of("content-type", contentType))
                .withBody(body).withIsBase64Encoded(base64).build();
        return new ApiRequest(e, null);
    }

    private static ProblemType problem(ApiRequest r) {
        return assertThrows(ProblemException.class, r::jsonObject).type();
    }

    @Test
    void acceptsJsonAndJsonSuffixTypesInUtf8() {
        assertEquals("x", request("application/json", "{\"a\":\"x\"}", false).jsonObject().get("a").asText());
        assertTrue(ApiRequest.isJson("application/merge-patch+json"));
        assertTrue(ApiRequest.isJson("application/json; charset=UTF-8"));
        assertFalse(ApiRequest.isJson("application/json; charset=latin1"));
        assertFalse(ApiRequest.isJson("text/json"));
        assertFalse(ApiRequest.isJson("application/jsonp"));
    }

    @Test
    void refusesEverythingElseWithItsOwnProblem() {
        assertEquals(ProblemType.UNSUPPORTED_MEDIA_TYPE, problem(request(null, "{}", false)));
        assertEquals(ProblemType.UNSUPPORTED_MEDIA_TYPE, problem(request("text/plain", "{}", false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", null, false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", "{", false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", "\"text\"", false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", "{} {}", false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", "{\"a\":1,\"a\":2}", false)));
        assertEquals(ProblemType.INVALID_JSON, problem(request("application/json", "[".repeat(100) + "]".repeat(100), false)));
        assertEquals(ProblemType.PAYLOAD_TOO_LARGE,
                problem(request("application/json", "{\"a\":\"" + "x".repeat(ApiRequest.MAX_JSON_BYTES) + "\"}", false)));
        assertEquals(ProblemType.VALIDATION_FAILED, problem(request("application/json", "not base64!", true)));
    }

    @Test
    void decodesBase64Bodies() {
        String b64 = Base64.getEncoder().encodeToString("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, request("application/json", b64, true).jsonObject().get("a").asInt());
    }

    @Test
    void echoesOnlyPrintableAsciiOfClientValues() {
        assertEquals("a?b", ApiRequest.sanitize("a\nb"));
        assertTrue(ApiRequest.sanitize("x".repeat(500)).length() < 110);
    }
}
