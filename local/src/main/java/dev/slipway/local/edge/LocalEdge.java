package dev.slipway.local.edge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.local.servers.AppServerPool;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.SiteAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.slipway.local.edge.EdgeReplies.text;

/**
 * CloudFront on the laptop: serves {@code http://{appId}.localhost:PORT/} and
 * {@code http://{label}--{appId}.localhost:PORT/} from the artifacts bucket with the rules of
 * functions/edge/viewer-request.js ({@link SiteAddress}), and keeps the router's key-value map.
 * This class is the HTTP server and its dispatch; each job has its own class:
 * <ul>
 *   <li>{@link SiteServer}: host → route → file (SPA routes get {@code /index.html}), HEAD,
 *       If-None-Match → 304, 404; a protected preview asks {@link PreviewGate} (token header,
 *       cookie, or query parameter answered with a 302 that sets the cookie);</li>
 *   <li>{@link EdgeCaching}: the object's Content-Type, Cache-Control and ETag, gzip for text;</li>
 *   <li>{@link RouteAdmin}: the route API the deploy core calls on the same port, loopback Host only,
 *       bearer router secret: {@code GET /_slipway/routes}, {@code GET|PUT|DELETE /_slipway/routes/{hostLabel}};</li>
 *   <li>{@link RouteJournal}: the routes in memory, persisted as a JSON file plus a journal of
 *       changes (compacted when long; a torn last line is skipped) so a restart keeps them.</li>
 * </ul>
 */
public final class LocalEdge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEdge.class);
    static final String ADMIN_PREFIX = "/_slipway/";

    private final RouteJournal routes;
    private final RouteAdmin admin;
    private final SiteServer sites;
    private final ServerAdmin serverAdmin;
    private final HttpServer server;
    private final ExecutorService executor;

    public LocalEdge(S3Client s3, String bucket, Path routesFile, String host, int port, String routerToken) throws IOException {
        this(s3, bucket, routesFile, host, port, routerToken, null);
    }

    /** @param servers runs the releases' servers (and answers the servers' admin API); null: static releases only */
    public LocalEdge(S3Client s3, String bucket, Path routesFile, String host, int port, String routerToken,
                     AppServerPool servers) throws IOException {
        if (routerToken == null || routerToken.length() < 16) {
            throw new IllegalArgumentException("the router token must be at least 16 characters");
        }
        this.routes = new RouteJournal(routesFile);
        this.admin = new RouteAdmin(routes, routerToken);
        this.sites = new SiteServer(s3, bucket, routes, this::port, servers);
        this.serverAdmin = servers == null ? null : new ServerAdmin(servers, routerToken);
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
        return routes.snapshot();
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
            if (rawPath != null && serverAdmin != null && rawPath.startsWith(ServerAdmin.PREFIX) && RouteAdmin.isLoopbackHost(ex)) {
                serverAdmin.handle(ex, rawPath);
            } else if (rawPath != null && (rawPath.equals("/_slipway") || rawPath.startsWith(ADMIN_PREFIX)) && RouteAdmin.isLoopbackHost(ex)) {
                admin.handle(ex, rawPath);
            } else {
                sites.handle(ex, rawPath);
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
}
