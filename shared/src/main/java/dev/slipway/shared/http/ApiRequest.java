package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.auth.Authenticator;
import dev.slipway.shared.auth.Principal;
import dev.slipway.shared.auth.SessionService;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One API call as the handlers see it, read from an API Gateway HTTP API (payload v2) event. */
public final class ApiRequest {
    /** JSON bodies are small documents; anything larger is a mistake or an attack. */
    public static final int MAX_JSON_BYTES = 64 * 1024;
    private static final Pattern CHARACTER_CODE = Pattern.compile("\\(code (\\d+)\\)");
    private static final Pattern DUPLICATE_KEY = Pattern.compile("^Duplicate field '(.*)'$");

    private final APIGatewayV2HTTPEvent event;
    private final String requestId;
    private final Context context;
    private Principal principal = Principal.ANONYMOUS;

    public ApiRequest(APIGatewayV2HTTPEvent event, Context context) {
        this.event = event;
        this.context = context;
        String id = null;
        if (event.getRequestContext() != null) {
            id = event.getRequestContext().getRequestId();
        }
        if (id == null && context != null) {
            id = context.getAwsRequestId();
        }
        this.requestId = id;
    }

    /** Who is calling, as the router authenticated it (anonymous on routes that check their own secret). */
    public Principal principal() {
        return principal;
    }

    /** Set by the router once the token is checked; a route that checks its own secret sets it too. */
    public void authenticatedAs(Principal who) {
        this.principal = who;
    }

    /** The actor audit events and deployments record for this request. */
    public Actor actor() {
        return new Actor(principal.actorId(), requestId, sourceIp());
    }

    /** The Lambda context (null in some tests): its remaining time bounds long work such as the cleanup. */
    public Context context() {
        return context;
    }

    public String routeKey() {
        return event.getRouteKey();
    }

    public String path() {
        return event.getRawPath();
    }

    /**
     * The request target as received: the raw path, then {@code ?} and the raw query string when
     * there is one (not decoded, not reordered). A raw path never holds a {@code ?}, so a target with
     * a query never equals one without.
     */
    public String target() {
        String query = event.getRawQueryString();
        return query == null || query.isEmpty() ? path() : path() + "?" + query;
    }

    public String requestId() {
        return requestId;
    }

    public String sourceIp() {
        var ctx = event.getRequestContext();
        return ctx != null && ctx.getHttp() != null ? ctx.getHttp().getSourceIp() : null;
    }

    /** What the request shows of who it is, for {@link Authenticator}: Bearer header, cookies, CSRF header, Origin, Host. */
    public Authenticator.Credentials credentials() {
        String method = event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                ? event.getRequestContext().getHttp().getMethod() : String.valueOf(routeKey()).split(" ", 2)[0];
        boolean mutating = !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
        return new Authenticator.Credentials(header("authorization").orElse(null), cookies(), header(SessionService.CSRF_HEADER).orElse(null),
                header("origin").orElse(null), header("host").orElse(null), mutating, sourceIp());
    }

    /** The request's cookies, {@code name=value} each (payload v2 {@code cookies[]}). */
    public java.util.List<String> cookies() {
        return event.getCookies() == null ? java.util.List.of() : event.getCookies();
    }

    /** Header value by case-insensitive name (API Gateway lower-cases them already). */
    public Optional<String> header(String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers == null) {
            return Optional.empty();
        }
        String v = headers.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    v = e.getValue();
                    break;
                }
            }
        }
        return Optional.ofNullable(v);
    }

    public Optional<String> pathParameter(String name) {
        Map<String, String> p = event.getPathParameters();
        return p == null ? Optional.empty() : Optional.ofNullable(p.get(name));
    }

    public Optional<String> queryParameter(String name) {
        Map<String, String> q = event.getQueryStringParameters();
        return q == null ? Optional.empty() : Optional.ofNullable(q.get(name));
    }

    /** The body as the event carries it (base64 when {@code isBase64Encoded}); empty when none. */
    public String rawBody() {
        return event.getBody() == null ? "" : event.getBody();
    }

    public byte[] bodyBytes() {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (event.getIsBase64Encoded()) {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(ProblemType.VALIDATION_FAILED, "The body is marked base64 but is not");
            }
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The body as a JSON object, or a problem: 415 for a non-JSON content type, 413 when larger
     * than {@link #MAX_JSON_BYTES}, 400 when it does not parse or is not an object.
     */
    public ObjectNode jsonObject() {
        return jsonObject(MAX_JSON_BYTES);
    }

    /**
     * As {@link #jsonObject()}, for the few routes whose documents are legitimately larger (a
     * direct upload lists every file of a site): 413 beyond {@code maxBytes}.
     */
    public ObjectNode jsonObject(int maxBytes) {
        String contentType = header("content-type").orElse("");
        if (!isJson(contentType)) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    contentType.isBlank()
                            ? "Send the body with Content-Type: application/json"
                            : "Content-Type " + sanitize(contentType) + " is not accepted here; send application/json");
        }
        byte[] bytes = bodyBytes();
        if (bytes.length > maxBytes) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                    "JSON bodies are limited to " + maxBytes + " bytes here; this one has " + bytes.length);
        }
        if (bytes.length == 0) {
            throw new ProblemException(ProblemType.INVALID_JSON, "The body is empty; send a JSON object");
        }
        String text = utf8(bytes);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new ProblemException(ProblemType.INVALID_JSON, "The JSON is nested too deeply or has an oversized value");
        } catch (JsonProcessingException e) {
            throw new ProblemException(ProblemType.INVALID_JSON, "The body is not valid JSON: " + syntaxError(e));
        } catch (IOException e) {
            throw new ProblemException(ProblemType.INVALID_JSON, "The body could not be read as JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ProblemException(ProblemType.INVALID_JSON, "The body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * What is wrong with a JSON body, as a plain phrase with its line and column: the parser's own
     * message names its classes, features, token types and a {@code [Source: …]}, none of which the
     * caller can act on, so it is read here and never echoed.
     */
    static String syntaxError(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String what;
        if (e instanceof JsonEOFException || m.startsWith("Unexpected end-of-input")) {
            what = "unexpected end of input";
        } else if (m.startsWith("Duplicate field")) {
            Matcher key = DUPLICATE_KEY.matcher(m);
            what = key.find() ? "the key \"" + sanitize(key.group(1)) + "\" appears twice in one object" : "a key appears twice in one object";
        } else if (m.startsWith("Trailing token")) {
            what = "more content follows the JSON value";
        } else if (m.startsWith("Unrecognized token") || m.startsWith("Non-standard token")) {
            what = "a word that is not a JSON value (strings need double quotes; the words are true, false and null)";
        } else if (m.startsWith("Illegal unquoted character")) {
            what = "a control character in a string (escape it, e.g. \\n or \\u0001)";
        } else if (m.startsWith("Unrecognized character escape")) {
            what = "an invalid escape sequence in a string";
        } else if (m.startsWith("Illegal character")) {
            what = "a control character" + character(m) + " between values (only spaces, tabs and line breaks may stand there)";
        } else if (m.startsWith("Unexpected close marker")) {
            what = "a closing bracket or brace that does not match what is open";
        } else if (m.startsWith("Unexpected character")) {
            what = "unexpected character" + character(m) + expectation(m);
        } else if (m.contains("numeric value") || m.contains("Leading zeroes") || m.contains("Leading plus") || m.contains("Invalid number")
                || m.contains("Decimal point")) {
            what = "a number that is not valid JSON";
        } else {
            what = "unexpected content";
        }
        JsonLocation loc = e.getLocation();
        return loc == null || loc.getLineNr() < 1 ? what : what + " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String character(String message) {
        Matcher code = CHARACTER_CODE.matcher(message);
        if (!code.find()) {
            return "";
        }
        int c;
        try {
            c = Integer.parseInt(code.group(1));
        } catch (NumberFormatException tooLong) {
            return "";
        }
        return c > 0x20 && c < 0x7f && c != '\'' && c != '"' ? " '" + (char) c + "'" : String.format(Locale.ROOT, " U+%04X", c);
    }

    private static String expectation(String message) {
        if (message.contains("numeric value")) {
            return " in a number";
        } else if (message.contains("hex-digit")) {
            return "; a \\u escape needs four hex digits";
        } else if (message.contains("double-quote to start field name")) {
            return "; a key must be a string in double quotes";
        } else if (message.contains("comma to separate")) {
            return "; expected a comma";
        } else if (message.contains("colon to separate")) {
            return "; expected a colon after the key";
        } else if (message.contains("expected a valid value") || message.contains("expected a value")) {
            return "; expected a value";
        }
        return "";
    }

    /**
     * The body decoded strictly: a byte sequence that is not UTF-8 (overlong forms and encoded
     * surrogates included) is a 400, never a U+FFFD stored in its place. A leading byte order mark is
     * skipped, as the JSON parser did when it read the bytes itself.
     */
    static String utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never decodes to more chars than it has bytes, so the buffer cannot overflow.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new ProblemException(ProblemType.INVALID_JSON,
                    "The body is not valid UTF-8: the bytes at offset " + in.position() + " are not a UTF-8 character");
        }
        out.flip();
        if (out.hasRemaining() && out.charAt(0) == '\uFEFF') {
            out.get();
        }
        return out.toString();
    }

    static boolean isJson(String contentType) {
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!(media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json")))) {
            return false;
        }
        // A charset other than UTF-8 would make us misread the bytes.
        String lower = contentType.toLowerCase(Locale.ROOT);
        int i = lower.indexOf("charset=");
        if (i >= 0) {
            String cs = lower.substring(i + 8).split(";", 2)[0].trim().replace("\"", "");
            return cs.equals("utf-8") || cs.equals("utf8");
        }
        return true;
    }

    /** Echo only printable ASCII of a client value, and not much of it. */
    static String sanitize(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "…" : clean;
    }
}
