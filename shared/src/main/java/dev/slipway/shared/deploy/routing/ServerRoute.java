package dev.slipway.shared.deploy.routing;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the edge sends a full-stack release's dynamic requests in AWS: the HTTPS host of the
 * release's Lambda function URL (one alias per release and scope) and the origin secret the edge
 * adds as {@link #ORIGIN_HEADER}, so the function answers CloudFront only. Requests under the
 * framework's {@link #staticPrefixes} are the build's immutable assets and go to S3 instead;
 * functions/edge/viewer-request.js holds the same table (a test keeps them equal).
 *
 * @param framework the server's framework ({@code next}, {@code nitro}, {@code react-router}, {@code node})
 * @param host      the function URL's host, e.g. {@code abc123.lambda-url.eu-west-1.on.aws}
 * @param originSecret the app's origin secret (URL-safe base64)
 */
public record ServerRoute(String framework, String host, String originSecret) {
    public static final String ORIGIN_HEADER = "x-slipway-origin";

    private static final Map<String, List<String>> STATIC_PREFIXES = Map.of(
            "next", List.of("/_next/static/"),
            "nitro", List.of("/assets/", "/_build/"),
            "react-router", List.of("/assets/"),
            "node", List.of());
    private static final Pattern HOST = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}\\.){1,6}[a-z]{2,63}");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{32,64}");

    public ServerRoute {
        if (!STATIC_PREFIXES.containsKey(framework)) {
            throw new IllegalArgumentException("not a server framework: " + framework);
        }
        if (host == null || host.length() > 253 || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not an origin host: " + host);
        }
        if (originSecret == null || !SECRET.matcher(originSecret).matches()) {
            throw new IllegalArgumentException("not an origin secret (32-64 URL-safe base64 characters)");
        }
    }

    /** The path prefixes of a framework's build assets, which the edge answers from the release's files. */
    public static List<String> staticPrefixes(String framework) {
        List<String> p = STATIC_PREFIXES.get(framework);
        if (p == null) {
            throw new IllegalArgumentException("not a server framework: " + framework);
        }
        return p;
    }

    public static Map<String, List<String>> staticPrefixTable() {
        return STATIC_PREFIXES;
    }

    /** True when the edge answers this path from the release's files rather than its server. */
    public boolean servesStatic(String path) {
        return staticPrefixes(framework).stream().anyMatch(path::startsWith);
    }

    String encode() {
        return framework + ";" + host + ";" + originSecret;
    }

    static ServerRoute decode(String s) {
        String[] p = s.split(";", -1);
        if (p.length != 3) {
            throw new IllegalArgumentException("not a server route");
        }
        return new ServerRoute(p[0], p[1], p[2]);
    }

    @Override
    public String toString() {
        return "ServerRoute[" + framework + ", " + host + "]";
    }
}
