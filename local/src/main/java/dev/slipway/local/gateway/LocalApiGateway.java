package dev.slipway.local.gateway;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.local.template.SamTemplate.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * API Gateway HTTP API on the laptop: routes from template.yaml, requests turned into payload v2
 * events, the handler classes invoked in-process, their responses written back. Behaves like the
 * real one where a client can tell: 404 for an unknown route, 413 over 10 MB, base64 for binary.
 */
public final class LocalApiGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalApiGateway.class);
    /** API Gateway's own payload limit. */
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    /** Lambda's synchronous invocation payload limit. */
    static final int LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
    private static final DateTimeFormatter REQUEST_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private final List<CompiledRoute> routes;
    private final LocalFunctions functions;
    private final HttpServer server;
    private final ExecutorService executor;

    public LocalApiGateway(List<Route> routes, LocalFunctions functions, String host, int port) throws IOException {
        this.routes = new ArrayList<>(routes.stream().map(CompiledRoute::new).toList());
        // Like API Gateway: the most specific route wins (fewer path parameters first).
        this.routes.sort(Comparator.comparingInt(CompiledRoute::parameterCount).thenComparing(r -> r.route.path()));
        this.functions = functions;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        this.executor = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "api-gateway");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String rawPath = exchange.getRequestURI().getRawPath();
            Match match = match(method, rawPath);
            if (match == null) {
                writeProblem(exchange, 404, "route-not-found", "No such route", "No route " + method + " " + rawPath);
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                writeProblem(exchange, 413, "payload-too-large", "The request body is too large",
                        "Requests are limited to " + MAX_BODY_BYTES + " bytes");
                return;
            }
            APIGatewayV2HTTPEvent event = toEvent(exchange, match, method, rawPath, body);
            if (event.getBody() != null && event.getBody().length() > LAMBDA_PAYLOAD_BYTES) {
                // In AWS the invocation fails before the function runs: Lambda takes 6 MB, base64 included.
                writeProblem(exchange, 413, "payload-too-large", "The request body is too large",
                        "A Lambda invocation takes at most " + LAMBDA_PAYLOAD_BYTES
                                + " bytes; binary bodies count base64-encoded (about 4.5 MB of zip)");
                return;
            }
            APIGatewayV2HTTPResponse response;
            try {
                response = (APIGatewayV2HTTPResponse) functions.invoke(match.route.route.functionId(), event);
            } catch (Throwable t) {
                LOG.error("function {} failed on {} {}", match.route.route.functionId(), method, rawPath, t);
                writeProblem(exchange, 500, "internal-error", "Something went wrong on our side",
                        "The function failed; see the slipway log");
                return;
            }
            write(exchange, response, method.equals("HEAD"));
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.toString());
        }
    }

    private Match match(String method, String rawPath) {
        String[] segments = split(rawPath);
        for (CompiledRoute r : routes) {
            if (!r.route.method().equals(method) && !r.route.method().equals("ANY")) {
                continue;
            }
            Map<String, String> params = r.match(segments);
            if (params != null) {
                return new Match(r, params);
            }
        }
        return null;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }

    private static APIGatewayV2HTTPEvent toEvent(HttpExchange ex, Match match, String method, String rawPath, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        ex.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(v -> cookies.addAll(List.of(v.split(";\\s*"))));
            } else {
                headers.put(lower, String.join(",", values));
            }
        });
        String rawQuery = ex.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                String[] kv = pair.split("=", 2);
                String k = decode(kv[0]);
                String v = kv.length > 1 ? decode(kv[1]) : "";
                query.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        String contentType = headers.getOrDefault("content-type", "");
        // A text body that is not valid UTF-8 goes base64-encoded, so the handler sees the bytes sent and
        // can refuse them, instead of a string in which the decoder replaced them by U+FFFD.
        boolean text = isText(contentType) && isUtf8(body);
        String sourceIp = ex.getRemoteAddress().getAddress().getHostAddress();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String requestId = UUID.randomUUID().toString();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(match.route.route.routeKey())
                .withRawPath(rawPath)
                .withRawQueryString(rawQuery == null ? "" : rawQuery)
                .withCookies(cookies.isEmpty() ? null : cookies)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(match.params.isEmpty() ? null : match.params)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withAccountId("000000000000")
                        .withApiId("local")
                        .withDomainName(headers.getOrDefault("host", "localhost"))
                        .withDomainPrefix("local")
                        .withRequestId(requestId)
                        .withRouteKey(match.route.route.routeKey())
                        .withStage("$default")
                        .withTime(REQUEST_TIME.format(now))
                        .withTimeEpoch(now.toInstant().toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(rawPath)
                                .withProtocol(ex.getProtocol())
                                .withSourceIp(sourceIp)
                                .withUserAgent(headers.get("user-agent"))
                                .build())
                        .build())
                .build();
    }

    /** API Gateway passes text bodies as is and base64-encodes the rest. */
    static boolean isText(String contentType) {
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.isEmpty() || ct.startsWith("text/") || ct.contains("json") || ct.contains("xml")
                || ct.contains("x-www-form-urlencoded") || ct.contains("javascript");
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static void write(HttpExchange ex, APIGatewayV2HTTPResponse response, boolean head) throws IOException {
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, vs) -> vs.forEach(v -> ex.getResponseHeaders().add(k, v)));
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(c -> ex.getResponseHeaders().add("set-cookie", c));
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        if (head || bytes.length == 0 || status == 204 || status == 304) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void writeProblem(HttpExchange ex, int status, String slug, String title, String detail) throws IOException {
        String json = "{\"type\":\"urn:slipway:problem:" + slug + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":" + quote(detail) + "}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/problem+json");
        ex.getResponseHeaders().set("cache-control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Percent-decoding for a path: unlike a query, '+' stays a plus. */
    private static String decodePath(String s) {
        return decode(s.replace("+", "%2B"));
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private record Match(CompiledRoute route, Map<String, String> params) {
    }

    private static final class CompiledRoute {
        final Route route;
        final String[] segments;

        CompiledRoute(Route route) {
            this.route = route;
            this.segments = split(route.path());
        }

        int parameterCount() {
            int n = 0;
            for (String s : segments) {
                if (s.startsWith("{")) {
                    n++;
                }
            }
            return n;
        }

        Map<String, String> match(String[] path) {
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.startsWith("{") && s.endsWith("+}")) {
                    if (i >= path.length) {
                        return null;
                    }
                    params.put(s.substring(1, s.length() - 2), decodePath(String.join("/", List.of(path).subList(i, path.length))));
                    return params;
                }
                if (i >= path.length) {
                    return null;
                }
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    params.put(s.substring(1, s.length() - 1), decodePath(path[i]));
                } else if (!s.equals(path[i])) {
                    return null;
                }
            }
            return path.length == segments.length ? params : null;
        }
    }
}
