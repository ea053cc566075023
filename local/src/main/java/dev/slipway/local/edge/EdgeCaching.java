package dev.slipway.local.edge;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * What CloudFront adds in front of S3: the object's Content-Type, Cache-Control, ETag and
 * Last-Modified on the answer, If-None-Match compared weakly (→ 304), and gzip for text that asks
 * for it and is small enough to compress in memory.
 */
final class EdgeCaching {
    /** Text larger than this streams as is instead of being gzipped in memory. */
    static final long GZIP_MAX_BYTES = 4L * 1024 * 1024;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private EdgeCaching() {
    }

    /** What the edge needs of an S3 object (from HeadObject or GetObject). */
    record ObjectInfo(String etag, String contentType, String cacheControl, Instant lastModified, Long length) {
    }

    static void headers(HttpExchange ex, ObjectInfo info, boolean gzip) {
        var h = ex.getResponseHeaders();
        h.set("content-type", info.contentType() == null ? "application/octet-stream" : info.contentType());
        if (info.cacheControl() != null) {
            h.set("cache-control", info.cacheControl());
        }
        if (info.etag() != null) {
            h.set("etag", info.etag());
        }
        if (info.lastModified() != null) {
            h.set("last-modified", HTTP_DATE.format(info.lastModified()));
        }
        h.set("x-content-type-options", "nosniff");
        if (compressible(info)) {
            h.set("vary", "Accept-Encoding");
        }
        if (gzip) {
            h.set("content-encoding", "gzip");
        }
    }

    /** Sends a 200 with the object's bytes, gzipped in memory when {@code gzip}; headers are already set. */
    static void sendBody(HttpExchange ex, InputStream in, ObjectInfo info, boolean gzip) throws IOException {
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
            long length = info.length() == null ? 0 : info.length();
            ex.sendResponseHeaders(200, length == 0 ? -1 : length);
            if (length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    in.transferTo(out);
                }
            }
        }
    }

    /** Text that CloudFront would compress: small enough to gzip in memory here. */
    static boolean compressible(ObjectInfo info) {
        if (info.length() == null || info.length() > GZIP_MAX_BYTES || info.length() < 1) {
            return false;
        }
        return isText(info.contentType());
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
        String accept = String.join(",", ex.getRequestHeaders().getOrDefault("accept-encoding", List.of()));
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
}
