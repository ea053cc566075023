package dev.slipway.local.engines;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.http.HttpFields;
import org.gaul.shaded.org.eclipse.jetty.http.HttpHeader;
import org.gaul.shaded.org.eclipse.jetty.server.Handler;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Response;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.util.Callback;

import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What S3 refuses and S3Proxy lets through: a presigned request whose signature covers
 * {@code content-length} but whose body is not framed by a Content-Length header. S3Proxy checks
 * the signature against the Content-Length header's value, yet (its Jetty parses HTTP leniently)
 * reads a {@code Transfer-Encoding: chunked} body of any length beside a {@code Content-Length: 100}
 * header, so an upload signed for 100 bytes stored 5,000. S3 answers such a request with
 * 403 {@code SignatureDoesNotMatch} and stores nothing; so does this guard, in front of S3Proxy.
 * A request framed by Content-Length alone is read for exactly that length, and S3Proxy's own
 * signature check refuses any length other than the signed one.
 */
final class PresignedLengthGuard extends Handler.Wrapper {
    private static final String SIGNATURE_DOES_NOT_MATCH = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match \
            the signature you provided. Check your key and signing method.</Message></Error>""";

    private PresignedLengthGuard(Handler handler) {
        super(handler);
    }

    /** Puts the guard in front of S3Proxy's handler; call before {@link S3Proxy#start()}. */
    static void install(S3Proxy proxy) {
        try {
            Field f = S3Proxy.class.getDeclaredField("server");
            f.setAccessible(true);
            Server server = (Server) f.get(proxy);
            server.setHandler(new PresignedLengthGuard(server.getHandler()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot guard the local S3 server's presigned uploads (S3Proxy changed?)", e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String query = request.getHttpURI().getQuery();
        // A CORS preflight (OPTIONS, no body) of a browser's presigned PUT is S3Proxy's to answer by its CORS rules.
        if (query != null && !"OPTIONS".equals(request.getMethod()) && signsContentLength(query)) {
            HttpFields headers = request.getHeaders();
            if (headers.get(HttpHeader.CONTENT_LENGTH) == null || headers.contains(HttpHeader.TRANSFER_ENCODING)) {
                response.setStatus(403);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                response.write(true, ByteBuffer.wrap(SIGNATURE_DOES_NOT_MATCH.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }
        return super.handle(request, response, callback);
    }

    /** Whether a query string is a presigned V4 request whose signed headers include content-length. */
    static boolean signsContentLength(String query) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (name.equalsIgnoreCase("X-Amz-SignedHeaders") && eq >= 0) {
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                for (String h : value.split(";")) {
                    if (h.strip().equals("content-length")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
