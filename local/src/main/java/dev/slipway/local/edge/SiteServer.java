package dev.slipway.local.edge;

import com.sun.net.httpserver.HttpExchange;
import dev.slipway.local.edge.EdgeCaching.ObjectInfo;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.SiteAddress;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;

import dev.slipway.local.servers.AppServerPool;
import dev.slipway.local.servers.NodeServer;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.env.EnvScope;

import static dev.slipway.local.edge.EdgeCaching.acceptsGzip;
import static dev.slipway.local.edge.EdgeCaching.compressible;
import static dev.slipway.local.edge.EdgeCaching.etagMatches;
import static dev.slipway.local.edge.EdgeCaching.headers;
import static dev.slipway.local.edge.EdgeReplies.text;

/**
 * Serves a site request as the CloudFront Function and S3 would: the Host names the app (through
 * the router's entry) or a release directly, {@link SiteAddress} maps the path to the release's
 * object (extension-less paths get the release's {@code /index.html}: SPA routes), a protected
 * preview asks the {@link PreviewGate}, and the object comes from the artifacts bucket with
 * {@link EdgeCaching}'s headers: GET and HEAD only, If-None-Match → 304, 404 for a missing file.
 */
final class SiteServer {
    private final S3Client s3;
    private final String bucket;
    private final RouteJournal routes;
    private final IntSupplier port;

    private final AppServerPool servers;
    private final ServerProxy proxy;
    private final ServerReleaseFiles files;

    SiteServer(S3Client s3, String bucket, RouteJournal routes, IntSupplier port) {
        this(s3, bucket, routes, port, null);
    }

    /** @param servers the app servers of releases that have one, or null: every release is static */
    SiteServer(S3Client s3, String bucket, RouteJournal routes, IntSupplier port, AppServerPool servers) {
        this.servers = servers;
        this.proxy = servers == null ? null : new ServerProxy(servers);
        this.files = new ServerReleaseFiles(s3, bucket);
        this.s3 = s3;
        this.bucket = bucket;
        this.routes = routes;
        this.port = port;
    }

    void handle(HttpExchange ex, String rawPath) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET") && servers == null) {
            ex.getResponseHeaders().set("allow", "GET, HEAD");
            text(ex, 405, "Method not allowed");
            return;
        }
        Optional<SiteAddress.Target> target = SiteAddress.parseHost(ex.getRequestHeaders().getFirst("host"));
        if (target.isEmpty()) {
            text(ex, 400, "Malformed host: sites are served at http://{app}.localhost:" + port.getAsInt() + "/");
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
            if (entry.isProtected() && !PreviewGate.admitted(ex, entry, rawPath)) {
                return;
            }
            releaseId = entry.releaseId();
        } else {
            releaseId = t.releaseId();
        }
        String file = path.get();
        Optional<ServerBundle> server = servers == null ? Optional.empty() : servers.bundle(t.appId(), releaseId);
        if (server.isPresent()) {
            // a release with a server: its files answer what they hold exactly, the server everything else
            Optional<String> asked = SiteAddress.requestPath(rawPath);
            String found = (head || method.equals("GET")) && asked.isPresent() ? files.find(t.appId(), releaseId, asked.get()) : null;
            if (found == null) {
                proxy.forward(ex, serverKey(t, releaseId), server.get());
                return;
            }
            file = found;
        } else if (!head && !method.equals("GET")) {
            ex.getResponseHeaders().set("allow", "GET, HEAD");
            text(ex, 405, "Method not allowed");
            return;
        }
        String key = SiteAddress.objectKey(t.appId(), releaseId, file);
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
            if (etagMatches(ifNoneMatch, info.etag())) {
                headers(ex, info, false);
                ex.sendResponseHeaders(304, -1);
                return;
            }
            if (head) {
                boolean gzip = compressible(info) && acceptsGzip(ex);
                headers(ex, info, gzip);
                if (!gzip && info.length() != null) {
                    ex.getResponseHeaders().set("content-length", Long.toString(info.length()));
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
            EdgeCaching.sendBody(ex, in, info, gzip);
        }
    }

    /** Production's values for the app's own host; a preview host has its own server (the preview scope's values and its own); a release's own host the preview scope's. */
    static EnvScope scopeOf(SiteAddress.Target t) {
        return t.needsLookup() && t.routerKey().equals(t.appId()) ? EnvScope.PRODUCTION : EnvScope.PREVIEW;
    }

    static NodeServer.Key serverKey(SiteAddress.Target t, String releaseId) {
        if (t.needsLookup() && !t.routerKey().equals(t.appId())) {
            return NodeServer.Key.preview(t.appId(), releaseId, t.routerKey().substring(0, t.routerKey().indexOf("--")));
        }
        return new NodeServer.Key(t.appId(), releaseId, scopeOf(t));
    }
}
