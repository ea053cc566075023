package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
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

    /** Regression: invalid UTF-8 was decoded leniently and stored as U+FFFD. */
    @Test
    void invalidUtf8IsInvalidJson() {
        byte[][] invalid = {
                {(byte) 0xff}, {(byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, // a stray byte, a lone continuation, an overlong '/'
                {(byte) 0xed, (byte) 0xa0, (byte) 0x80},                  // an encoded surrogate (U+D800)
                {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},    // beyond U+10FFFF
                {(byte) 0xe2, (byte) 0x82}};                              // cut short
        for (byte[] bad : invalid) {
            byte[] body = concat("{\"name\":\"Shop".getBytes(StandardCharsets.UTF_8), bad, "\"}".getBytes(StandardCharsets.UTF_8));
            ProblemException p = assertThrows(ProblemException.class,
                    () -> request("application/json", Base64.getEncoder().encodeToString(body), true).jsonObject());
            assertEquals(ProblemType.INVALID_JSON, p.type());
            assertEquals("The body is not valid UTF-8: the bytes at offset 13 are not a UTF-8 character", p.detail());
        }
        String good = "{\"name\":\"Caf\u00e9 \ud83d\udc4d\"}";
        assertEquals("Caf\u00e9 \ud83d\udc4d", request("application/json",
                Base64.getEncoder().encodeToString(good.getBytes(StandardCharsets.UTF_8)), true).jsonObject().get("name").asText());
        byte[] bom = concat(new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, good.getBytes(StandardCharsets.UTF_8));
        assertEquals("Caf\u00e9 \ud83d\udc4d", request("application/json", Base64.getEncoder().encodeToString(bom), true)
                .jsonObject().get("name").asText(), "a leading byte order mark is skipped as before");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Regression: the detail carried the parser's message: its class names, features and a [Source: …]. */
    @Test
    void invalidJsonIsDescribedInPlainWords() {
        assertEquals("The body is not valid JSON: unexpected end of input at line 1, column 2", detail("{"));
        assertEquals("The body is not valid JSON: the key \"a\" appears twice in one object at line 1, column 11",
                detail("{\"a\":1,\"a\":2}"));
        assertTrue(detail("{} {}").startsWith("The body is not valid JSON: more content follows the JSON value at line 1"), detail("{} {}"));
        assertTrue(detail("{\"a\" 1}").startsWith("The body is not valid JSON: unexpected character '1'; expected a colon"), detail("{\"a\" 1}"));
        for (String body : new String[]{"{", "{\"name\": \"broken", "{\"a\":1,\"a\":2}", "{} {}", "{a:1}", "{\"a\":tru}",
                "{\"a\":01}", "{\"a\":\"x\u0001\"}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":\"\\q\"}", "[}", "{]",
                "{\"a\":1 \"b\":2}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":+1}", "{\"a\":[1,2}", "\u0001", "{\"a\":\"\\ud800\"x}",
                "{\"a\":'x'}", "{\"a\":1}]", "{\"a\":1e}", "{\"a\":\"\\u12\"}", "nul", "{\"a\":{\"b\":1}"}) {
            String d = detail(body);
            assertTrue(d.matches("The body is not valid JSON: [a-z][^`]* at line \\d+, column \\d+"), body + " -> " + d);
            for (String internal : new String[]{"Source", "fasterxml", "Feature", "JsonNode", "START_", "END_", "CTRL-CHAR", "(code",
                    "REDACTED", "Jackson", "Exception", "java.", "token '"}) {
                assertFalse(d.contains(internal), body + " -> " + d);
            }
        }
    }

    private static String detail(String body) {
        ProblemException p = assertThrows(ProblemException.class, () -> request("application/json", body, false).jsonObject(), body);
        assertEquals(ProblemType.INVALID_JSON, p.type(), body);
        return p.detail();
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
