package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.http.ProblemException;
import dev.slipway.shared.http.ProblemType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * GET /console and GET /console/{file+}: the web console's files, built by {@code console/build.mjs} into
 * this jar's {@code console/} folder at {@code mvn package}. Served from the API's own origin so the session
 * cookie (SameSite=Strict) and the CSRF check are same-origin; a strict Content-Security-Policy allows only
 * this origin's scripts, styles and requests.
 */
public final class ConsoleHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** Lower-case segments that never start with a dot: no traversal out of {@code console/}. */
    private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}(/[a-z0-9][a-z0-9._-]{0,99}){0,4}");
    /** The policy, with {@code %s} where the bucket's origin goes: a large import is PUT there (a presigned URL). */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'%s; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "map", "application/json", "ico", "image/x-icon");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private final String csp;
    private final ApiRouter router;

    public ConsoleHandler() {
        this(Config.fromEnvironment());
    }

    public ConsoleHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private ConsoleHandler(Config config) {
        this.csp = CSP.formatted(uploadOrigin(config).map(o -> " " + o).orElse(""));
        this.router = ApiRouter.open()
                .route("GET /console", r -> file("index.html"))
                .route("GET /console/{file+}", r -> file(r.pathParameter("file").orElse("")))
                .build();
    }

    /**
     * Where presigned uploads go: the S3 endpoint the functions use (the local runtime's), else the bucket's own
     * virtual-hosted origin in AWS, as the presigner makes its URLs. Empty when the function has no bucket.
     */
    static java.util.Optional<String> uploadOrigin(Config config) {
        var endpoint = config.get("AWS_ENDPOINT_URL_S3").or(() -> config.get("AWS_ENDPOINT_URL"));
        if (endpoint.isPresent()) {
            java.net.URI u = java.net.URI.create(endpoint.get());
            return java.util.Optional.of(u.getScheme() + "://" + u.getRawAuthority());
        }
        return config.get(EnvNames.ARTIFACTS_BUCKET).flatMap(bucket -> config.get("AWS_REGION")
                .map(region -> "https://" + bucket + ".s3." + region + ".amazonaws.com"));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse file(String name) {
        if (name.isEmpty()) {
            name = "index.html";
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        byte[] bytes = FILE.matcher(name).matches() && TYPES.containsKey(ext) ? read(name) : null;
        if (bytes == null) {
            throw new ProblemException(ProblemType.ROUTE_NOT_FOUND, "The console has no such file");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", TYPES.get(ext));
        headers.put("cache-control", "no-cache");
        headers.put("content-security-policy", csp);
        headers.put("x-content-type-options", "nosniff");
        headers.put("referrer-policy", "no-referrer");
        headers.put("x-frame-options", "DENY");
        boolean text = TYPES.get(ext).startsWith("text/") || ext.equals("svg") || ext.equals("json") || ext.equals("map");
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(headers)
                .withBody(text ? new String(bytes, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(bytes))
                .withIsBase64Encoded(!text).build();
    }

    private byte[] read(String name) {
        byte[] cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            cache.put(name, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
