package dev.slipway.local.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * CloudFront on the laptop: serves {@code http://{appId}.localhost:PORT/} and
 * {@code http://{label}--{appId}.localhost:PORT/} from the artifacts bucket with the rules of
 * functions/edge/viewer-request.js ({@link SiteAddress}), and keeps the router's key-value map
 * (in memory, persisted as JSON so a restart keeps it). Like CloudFront in front of S3: the
 * object's Content-Type and Cache-Control, S3's ETag and If-None-Match, HEAD, gzip for text.
 *
 * <p>A protected preview (an entry with a token hash) answers 401 unless the request shows its
 * token: header {@value #TOKEN_HEADER}, cookie {@value #TOKEN_COOKIE}, or query parameter
 * {@value #TOKEN_QUERY} (answered with a 302 that sets the cookie and drops the parameter, so the
 * token leaves the address bar). The cookie has no {@code Secure} here: the local edge is plain http.
 *
 * <p>Admin API on the same port, loopback Host only, bearer router secret:
 * {@code GET /_slipway/routes}, {@code GET|PUT|DELETE /_slipway/routes/{hostLabel}}
 * (PUT body {@code {"releaseId":"...","tokenSha256":"..."?}}).
 */
public final class LocalEdge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEdge.class);
    static final String ADMIN_PREFIX = "/_slipway/";
    private static final String ROUTES = "/_slipway/routes";
    static final String TOKEN_HEADER = "x-slipway-preview-token";
    static final String TOKEN_COOKIE = "slipway_preview";
    static final String TOKEN_QUERY = "slipway_token";
    /** The cookie outlives a session; rotating the token (a new hash) is what revokes it. */
    static final long TOKEN_COOKIE_MAX_AGE_SECONDS = 7L * 24 * 3600;
    /** Text larger than this streams as is instead of being gzipped in memory. */
    static final long GZIP_MAX_BYTES = 4L * 1024 * 1024;
    private static final int MAX_ADMIN_BODY = 16 * 1024;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final String bucket;
    private final Path routesFile;
    private final byte[] routerToken;
    private final Map<String, RouteEntry> routes = new ConcurrentHashMap<>();
    private final Object persistLock = new Object();
    /** Journal lines before the routes file is rewritten (at least as many as there are routes). */
    private static final int COMPACT_AFTER = 1000;
    private int journalLines;
    private final HttpServer server;
    private final ExecutorService executor;

    public LocalEdge(S3Client s3, String bucket, Path routesFile, String host, int port, String routerToken) throws IOException {
        if (routerToken == null || routerToken.length() < 16) {
            throw new IllegalArgumentException("the router token must be at least 16 characters");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.routesFile = routesFile;
        this.routerToken = routerToken.getBytes(StandardCharsets.UTF_8);
        load();
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "local-edge");
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

    /** The base URL of the admin API (what EDGE_ROUTER_URL carries). */
    public String adminUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Where a host label is served, e.g. http://shop.localhost:8788/. */
    public String siteUrl(String hostLabel) {
        return "http://" + hostLabel + ".localhost:" + port() + "/";
    }

    /** The current routes, sorted (a copy). */
    public Map<String, RouteEntry> routes() {
        return new TreeMap<>(routes);
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

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String rawPath = ex.getRequestURI().getRawPath();
            if (rawPath != null && (rawPath.equals("/_slipway") || rawPath.startsWith(ADMIN_PREFIX)) && isLoopbackHost(ex)) {
                admin(ex, rawPath);
            } else {
                site(ex, rawPath);
            }
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.toString());
        } catch (RuntimeException e) {
            // The path only: the query may carry a preview token.
            LOG.error("local edge failed on {} {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            try {
                text(ex, 502, "The edge could not reach the artifacts bucket");
            } catch (IOException | RuntimeException ignored) {
                // headers already sent
            }
        }
    }

    // ---- sites --------------------------------------------------------------------------------

    private void site(HttpExchange ex, String rawPath) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            ex.getResponseHeaders().set("allow", "GET, HEAD");
            text(ex, 405, "Method not allowed");
            return;
        }
        Optional<SiteAddress.Target> target = SiteAddress.parseHost(ex.getRequestHeaders().getFirst("host"));
        if (target.isEmpty()) {
            text(ex, 400, "Malformed host: sites are served at http://{app}.localhost:" + port() + "/");
            return;
        }
        Optional<String> path = SiteAddress.releasePath(rawPath);
        if (path.isEmpty()) {
            text(ex, 400, "Malformed path");
            return;
        }
        SiteAddress.Target t = target.get();
        String releaseId;
        if (t.needsLookup()) {
            RouteEntry entry = routes.get(t.routerKey());
            if (entry == null) {
                text(ex, 404, "No such site");
                return;
            }
            if (entry.isProtected() && !admitted(ex, entry, rawPath)) {
                return;
            }
            releaseId = entry.releaseId();
        } else {
            releaseId = t.releaseId();
        }
        String key = SiteAddress.objectKey(t.appId(), releaseId, path.get());
        String ifNoneMatch = ex.getRequestHeaders().getFirst("if-none-match");
        if (head || ifNoneMatch != null) {
            HeadObjectResponse meta;
            try {
                meta = s3.headObject(b -> b.bucket(bucket).key(key));
            } catch (NoSuchKeyException e) {
                text(ex, 404, "Not found");
                return;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    text(ex, 404, "Not found");
                    return;
                }
                throw e;
            }
            ObjectInfo info = new ObjectInfo(meta.eTag(), meta.contentType(), meta.cacheControl(), meta.lastModified(),
                    meta.contentLength());
            if (etagMatches(ifNoneMatch, info.etag)) {
                headers(ex, info, false);
                ex.sendResponseHeaders(304, -1);
                return;
            }
            if (head) {
                boolean gzip = compressible(info) && acceptsGzip(ex);
                headers(ex, info, gzip);
                if (!gzip && info.length != null) {
                    ex.getResponseHeaders().set("content-length", Long.toString(info.length));
                }
                ex.sendResponseHeaders(200, -1);
                return;
            }
        }
        ResponseInputStream<GetObjectResponse> object;
        try {
            object = s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            text(ex, 404, "Not found");
            return;
        }
        try (InputStream in = object) {
            GetObjectResponse r = object.response();
            ObjectInfo info = new ObjectInfo(r.eTag(), r.contentType(), r.cacheControl(), r.lastModified(), r.contentLength());
            boolean gzip = compressible(info) && acceptsGzip(ex);
            headers(ex, info, gzip);
            if (gzip) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                try (GZIPOutputStream z = new GZIPOutputStream(buffer)) {
                    in.transferTo(z);
                }
                ex.sendResponseHeaders(200, buffer.size());
                try (OutputStream out = ex.getResponseBody()) {
                    buffer.writeTo(out);
                }
            } else {
                long length = info.length == null ? 0 : info.length;
                ex.sendResponseHeaders(200, length == 0 ? -1 : length);
                if (length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        in.transferTo(out);
                    }
                }
            }
        }
    }

    /**
     * Whether a protected entry's token was shown; when not, the answer (302 or 401) is sent. A query
     * token is checked first: right → 302 to the same address without it, setting the cookie;
     * wrong → 401 (a revoked link stays revoked even next to a valid cookie).
     */
    private boolean admitted(HttpExchange ex, RouteEntry entry, String rawPath) throws IOException {
        String rawQuery = ex.getRequestURI().getRawQuery();
        Query q = Query.split(rawQuery);
        if (q.token != null) {
            if (!entry.admits(q.token)) {
                unauthorized(ex);
                return false;
            }
            var h = ex.getResponseHeaders();
            h.set("location", rawPath + (q.rest.isEmpty() ? "" : "?" + q.rest));
            h.set("set-cookie", TOKEN_COOKIE + "=" + q.token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age="
                    + TOKEN_COOKIE_MAX_AGE_SECONDS);
            text(ex, 302, "Found");
            return false;
        }
        String header = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
        if (header != null && entry.admits(header.trim())) {
            return true;
        }
        for (String cookie : cookies(ex, TOKEN_COOKIE)) {
            if (entry.admits(cookie)) {
                return true;
            }
        }
        unauthorized(ex);
        return false;
    }

    private static void unauthorized(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("www-authenticate", "SlipwayPreview realm=\"preview\"");
        text(ex, 401, "This preview is protected: open it with its preview link");
    }

    /** The raw query split into the token parameter (decoded) and everything else, as sent. */
    record Query(String token, String rest) {
        static Query split(String rawQuery) {
            if (rawQuery == null || rawQuery.isEmpty()) {
                return new Query(null, "");
            }
            String token = null;
            StringBuilder rest = new StringBuilder();
            for (String part : rawQuery.split("&")) {
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                if (name.equals(TOKEN_QUERY)) {
                    if (token == null) {
                        token = eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                } else if (!part.isEmpty()) {
                    rest.append(rest.length() == 0 ? "" : "&").append(part);
                }
            }
            return new Query(token, rest.toString());
        }
    }

    /** Every value of the named cookie across the request's Cookie headers. */
    static java.util.List<String> cookies(HttpExchange ex, String name) {
        java.util.List<String> values = new java.util.ArrayList<>();
        for (String header : ex.getRequestHeaders().getOrDefault("cookie", java.util.List.of())) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    values.add(pair.substring(eq + 1).trim());
                }
            }
        }
        return values;
    }

    private record ObjectInfo(String etag, String contentType, String cacheControl, Instant lastModified, Long length) {
    }

    private static void headers(HttpExchange ex, ObjectInfo info, boolean gzip) {
        var h = ex.getResponseHeaders();
        h.set("content-type", info.contentType == null ? "application/octet-stream" : info.contentType);
        if (info.cacheControl != null) {
            h.set("cache-control", info.cacheControl);
        }
        if (info.etag != null) {
            h.set("etag", info.etag);
        }
        if (info.lastModified != null) {
            h.set("last-modified", HTTP_DATE.format(info.lastModified));
        }
        h.set("x-content-type-options", "nosniff");
        if (compressible(info)) {
            h.set("vary", "Accept-Encoding");
        }
        if (gzip) {
            h.set("content-encoding", "gzip");
        }
    }

    /** Text that CloudFront would compress: small enough to gzip in memory here. */
    static boolean compressible(ObjectInfo info) {
        if (info.length == null || info.length > GZIP_MAX_BYTES || info.length < 1) {
            return false;
        }
        return isText(info.contentType);
    }

    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.startsWith("text/") || ct.contains("javascript") || ct.contains("json") || ct.contains("xml")
                || ct.contains("svg") || ct.startsWith("application/wasm") || ct.contains("font/ttf") || ct.contains("font/otf");
    }

    /** gzip listed with a non-zero q (or *). */
    static boolean acceptsGzip(HttpExchange ex) {
        String accept = String.join(",", ex.getRequestHeaders().getOrDefault("accept-encoding", java.util.List.of()));
        for (String part : accept.split(",")) {
            String[] p = part.trim().split(";");
            String coding = p[0].trim().toLowerCase(Locale.ROOT);
            if (!coding.equals("gzip") && !coding.equals("*")) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].trim();
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                return true;
            }
        }
        return false;
    }

    /** Weak comparison, as If-None-Match asks: W/ is ignored, * matches anything. */
    static boolean etagMatches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        String want = strip(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || strip(c).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static String strip(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.replace("\"", "");
    }

    // ---- admin API ----------------------------------------------------------------------------

    private void admin(HttpExchange ex, String rawPath) throws IOException {
        ex.getResponseHeaders().set("cache-control", "no-store");
        if (!authorized(ex)) {
            ex.getResponseHeaders().set("www-authenticate", "Bearer realm=\"slipway-edge\"");
            json(ex, 401, Json.object().put("error", "unauthorized"));
            return;
        }
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        if (rawPath.equals(ROUTES) || rawPath.equals(ROUTES + "/")) {
            if (!method.equals("GET")) {
                ex.getResponseHeaders().set("allow", "GET");
                json(ex, 405, Json.object().put("error", "method not allowed"));
                return;
            }
            ObjectNode all = Json.object();
            routes().forEach((k, v) -> all.put(k, v.encode()));
            json(ex, 200, Json.object().set("routes", all));
            return;
        }
        if (!rawPath.startsWith(ROUTES + "/")) {
            json(ex, 404, Json.object().put("error", "no such admin resource"));
            return;
        }
        String label = rawPath.substring(ROUTES.length() + 1);
        if (!SiteAddress.isRouterKey(label)) {
            json(ex, 400, Json.object().put("error", "not a routable host label: {appId} or {preview}--{appId}"));
            return;
        }
        switch (method) {
            case "GET" -> {
                RouteEntry entry = routes.get(label);
                if (entry == null) {
                    json(ex, 404, Json.object().put("error", "no route").put("hostLabel", label));
                } else {
                    json(ex, 200, describe(label, entry));
                }
            }
            case "PUT" -> {
                byte[] body = ex.getRequestBody().readNBytes(MAX_ADMIN_BODY + 1);
                RouteEntry entry = body.length <= MAX_ADMIN_BODY ? parseEntry(body) : null;
                if (entry == null) {
                    json(ex, 400, Json.object().put("error",
                            "body must be {\"releaseId\":\"<lowercase ULID>\",\"tokenSha256\":\"<lowercase hex SHA-256>\"?}"));
                    return;
                }
                update(label, entry);
                json(ex, 200, describe(label, entry));
            }
            case "DELETE" -> {
                if (update(label, null) == null) {
                    json(ex, 404, Json.object().put("error", "no route").put("hostLabel", label));
                } else {
                    ex.sendResponseHeaders(204, -1);
                }
            }
            default -> {
                ex.getResponseHeaders().set("allow", "GET, PUT, DELETE");
                json(ex, 405, Json.object().put("error", "method not allowed"));
            }
        }
    }

    private static ObjectNode describe(String label, RouteEntry entry) {
        ObjectNode o = Json.object().put("hostLabel", label).put("releaseId", entry.releaseId());
        if (entry.isProtected()) {
            o.put("tokenSha256", entry.tokenSha256());
        }
        return o;
    }

    /** A PUT body, or null when it is not {"releaseId", "tokenSha256"?} with valid values. */
    private static RouteEntry parseEntry(byte[] body) {
        try {
            JsonNode doc = Json.parse(new String(body, StandardCharsets.UTF_8));
            JsonNode id = doc.get("releaseId");
            JsonNode hash = doc.get("tokenSha256");
            if (id == null || !id.isTextual() || (hash != null && !hash.isNull() && !hash.isTextual())) {
                return null;
            }
            String h = hash == null || hash.isNull() ? null : hash.asText();
            return SiteAddress.isReleaseId(id.asText()) && (h == null || RouteEntry.isSha256Hex(h))
                    ? new RouteEntry(id.asText(), h) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean authorized(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(auth.substring(7).trim().getBytes(StandardCharsets.UTF_8), routerToken);
    }

    /** The admin API answers only to a loopback Host, so a site (or a rebinding DNS name) cannot reach it. */
    static boolean isLoopbackHost(HttpExchange ex) {
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            return false;
        }
        String host = ex.getRequestHeaders().getFirst("host");
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(0, end + 1);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
    }

    /**
     * Sets or (entry null) removes a route and persists it; returns the previous value. A change is
     * one line appended to a journal beside the routes file (rewriting 10,000 routes per change made a
     * cleanup of 1,000 previews write 600 MB); the routes file is rewritten once the journal is long.
     */
    private RouteEntry update(String label, RouteEntry entry) {
        synchronized (persistLock) {
            RouteEntry previous = entry == null ? routes.remove(label) : routes.put(label, entry);
            if (routesFile != null) {
                ObjectNode line = Json.object();
                if (entry == null) {
                    line.putNull(label);
                } else {
                    line.put(label, entry.encode());
                }
                try {
                    Files.createDirectories(routesFile.toAbsolutePath().getParent());
                    Files.writeString(journal(), Json.write(line) + "\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not save routes to " + journal(), e);
                }
                if (++journalLines > Math.max(COMPACT_AFTER, routes.size())) {
                    persist();
                }
            }
            return previous;
        }
    }

    private Path journal() {
        return routesFile.resolveSibling(routesFile.getFileName() + ".log");
    }

    /** Replays the journal over the routes file's routes (a change is one line; a torn last line is skipped). */
    private void replayJournal() throws IOException {
        if (!Files.isRegularFile(journal())) {
            return;
        }
        for (String line : Files.readAllLines(journal(), StandardCharsets.UTF_8)) {
            JsonNode change;
            try {
                change = Json.parse(line);
            } catch (RuntimeException torn) {
                LOG.warn("{}: skipping an unreadable line", journal());
                continue;
            }
            journalLines++;
            change.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    routes.remove(e.getKey());
                } else {
                    RouteEntry.decode(e.getValue().asText(null)).filter(x -> SiteAddress.isRouterKey(e.getKey()))
                            .ifPresent(x -> routes.put(e.getKey(), x));
                }
            });
        }
    }

    private void load() throws IOException {
        if (routesFile == null) {
            return;
        }
        if (!Files.isRegularFile(routesFile)) {
            replayJournal();
            return;
        }
        JsonNode doc = Json.parse(Files.readString(routesFile));
        JsonNode all = doc.get("routes");
        if (all == null || !all.isObject()) {
            throw new IOException(routesFile + " has no \"routes\" object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // Values are RouteEntry.encode(): a bare release id (all files before tokens) still decodes.
            Optional<RouteEntry> entry = RouteEntry.decode(e.getValue().asText(null));
            if (SiteAddress.isRouterKey(e.getKey()) && entry.isPresent()) {
                routes.put(e.getKey(), entry.get());
            } else {
                LOG.warn("{}: ignoring route {} -> {}", routesFile, e.getKey(), e.getValue());
            }
        }
        replayJournal();
    }

    private void persist() {
        if (routesFile == null) {
            return;
        }
        ObjectNode all = Json.object();
        routes().forEach((k, v) -> all.put(k, v.encode()));
        try {
            Files.createDirectories(routesFile.toAbsolutePath().getParent());
            Path tmp = routesFile.resolveSibling(routesFile.getFileName() + ".tmp");
            Files.writeString(tmp, Json.write(Json.object().set("routes", all)) + "\n");
            Files.move(tmp, routesFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // Every journal line is in the file now; a crash before this delete replays them again, to the same routes.
            Files.deleteIfExists(journal());
            journalLines = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save routes to " + routesFile, e);
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
        ex.getResponseHeaders().set("cache-control", "no-store");
        boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
