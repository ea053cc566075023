package dev.slipway.local.edge;

import com.sun.net.httpserver.HttpExchange;
import dev.slipway.local.servers.AppServerPool;
import dev.slipway.local.servers.NodeServer;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.hosting.AppServers.ServerCheckFailed;
import dev.slipway.shared.http.ProblemType;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What CloudFront's origin request to the release's function does, on the laptop: the request goes to the
 * release's Node server for its scope (started on first use), the answer streams back. Bodies over Lambda's
 * 6 MB payload limit get a 413 problem; a server that does not start, or dies under the request, a 502
 * problem (the next request starts it again).
 */
final class ServerProxy {
    /** Lambda's synchronous payload limit. */
    static final int MAX_BODY = 6 * 1024 * 1024;
    /** A larger declared body is refused without reading it (the client may see a reset instead of the 413). */
    private static final long DRAINED_AT_MOST = 64L * 1024 * 1024;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
            "trailer", "upgrade", "content-length", "host", "expect", "proxy-authorization", "proxy-authenticate");
    private static final Set<String> NO_BODY = Set.of("GET", "HEAD", "DELETE", "OPTIONS");

    static {
        // the app sees the Host the visitor asked for (Next builds redirects and absolute URLs from it)
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private final AppServerPool pool;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean hostForwarded = true;

    ServerProxy(AppServerPool pool) {
        this.pool = pool;
    }

    void forward(HttpExchange ex, NodeServer.Key key, ServerBundle bundle) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String declared = ex.getRequestHeaders().getFirst("content-length");
        if (declared != null && parseLong(declared) > DRAINED_AT_MOST) {
            problem(ex, ProblemType.PAYLOAD_TOO_LARGE, "The request body is larger than the app server's limit of "
                    + MAX_BODY + " bytes (Lambda's 6 MB payload limit)");
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            // read the rest (up to a bound) so the client sees the answer rather than a reset connection
            ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
            problem(ex, ProblemType.PAYLOAD_TOO_LARGE, "The request body is larger than the app server's limit of "
                    + MAX_BODY + " bytes (Lambda's 6 MB payload limit)");
            return;
        }
        NodeServer server;
        try {
            server = pool.serverFor(key, bundle);
        } catch (ServerCheckFailed e) {
            problem(ex, ProblemType.APP_SERVER_UNAVAILABLE, "The app's server did not start: " + e.getMessage());
            return;
        }
        URI uri = URI.create("http://127.0.0.1:" + server.port() + ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .method(method, body.length == 0 && NO_BODY.contains(method) ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name)) {
                for (String v : h.getValue()) {
                    req.header(h.getKey(), v);
                }
            }
        }
        String host = ex.getRequestHeaders().getFirst("host");
        if (host != null) {
            req.header("x-forwarded-host", host);
            if (hostForwarded) {
                try {
                    req.header("host", host);
                } catch (IllegalArgumentException e) {
                    hostForwarded = false; // this JVM's HTTP client was made before the property was set
                }
            }
        }
        req.header("x-forwarded-proto", "http");
        req.header("x-forwarded-for", ex.getRemoteAddress().getAddress().getHostAddress());
        HttpResponse<InputStream> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            pool.discard(server);
            problem(ex, ProblemType.APP_SERVER_UNAVAILABLE, "The app's server closed the connection without an answer (it crashed?);"
                    + " the next request starts it again");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        server.touch();
        for (Map.Entry<String, List<String>> h : res.headers().map().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !name.startsWith(":")) {
                ex.getResponseHeaders().put(h.getKey(), h.getValue());
            }
        }
        int status = res.statusCode();
        long length = res.headers().firstValueAsLong("content-length").orElse(-2);
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200);
        try (InputStream in = res.body()) {
            if (noBody || length == 0) {
                ex.sendResponseHeaders(status, -1);
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            ex.sendResponseHeaders(status, length > 0 ? length : 0); // 0: chunked, as the server streams it
            OutputStream out = ex.getResponseBody();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                if (in.available() == 0) {
                    out.flush(); // a streamed page reaches the browser as the server writes it
                }
            }
            out.close();
        } catch (IOException e) {
            if (!server.alive()) {
                pool.discard(server);
            }
            throw e;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An RFC 9457 problem from the edge itself. */
    static void problem(HttpExchange ex, ProblemType type, String detail) throws IOException {
        byte[] bytes = Json.write(Json.object().put("type", type.uri()).put("title", type.title()).put("status", type.status())
                .put("detail", detail)).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/problem+json");
        ex.getResponseHeaders().set("cache-control", "no-store");
        boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
        ex.sendResponseHeaders(type.status(), head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
