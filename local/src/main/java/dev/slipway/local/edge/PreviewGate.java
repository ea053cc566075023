package dev.slipway.local.edge;

import com.sun.net.httpserver.HttpExchange;
import dev.slipway.shared.deploy.routing.RouteEntry;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.slipway.local.edge.EdgeReplies.text;

/**
 * The door of a protected preview (a route entry with a token hash): it answers 401 unless the
 * request shows the token: header {@value #TOKEN_HEADER}, cookie {@value #TOKEN_COOKIE}, or query
 * parameter {@value #TOKEN_QUERY} (answered with a 302 that sets the cookie and drops the parameter,
 * so the token leaves the address bar). The cookie has no {@code Secure} here: the local edge is plain http.
 */
final class PreviewGate {
    static final String TOKEN_HEADER = "x-slipway-preview-token";
    static final String TOKEN_COOKIE = "slipway_preview";
    static final String TOKEN_QUERY = "slipway_token";
    /** The cookie outlives a session; rotating the token (a new hash) is what revokes it. */
    static final long TOKEN_COOKIE_MAX_AGE_SECONDS = 7L * 24 * 3600;

    private PreviewGate() {
    }

    /**
     * Whether a protected entry's token was shown; when not, the answer (302 or 401) is sent. A query
     * token is checked first: right → 302 to the same address without it, setting the cookie;
     * wrong → 401 (a revoked link stays revoked even next to a valid cookie).
     */
    static boolean admitted(HttpExchange ex, RouteEntry entry, String rawPath) throws IOException {
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
                        token = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                } else if (!part.isEmpty()) {
                    rest.append(rest.length() == 0 ? "" : "&").append(part);
                }
            }
            return new Query(token, rest.toString());
        }
    }

    /** Every value of the named cookie across the request's Cookie headers. */
    static List<String> cookies(HttpExchange ex, String name) {
        List<String> values = new ArrayList<>();
        for (String header : ex.getRequestHeaders().getOrDefault("cookie", List.of())) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    values.add(pair.substring(eq + 1).trim());
                }
            }
        }
        return values;
    }
}
