package dev.slipway.shared.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Before production moves, fetch {@code /} from the release's own URL through the real edge and
 * compare the bytes with the manifest: proves the router, the files and their content agree.
 */
public final class SmokeCheck {
    static {
        // Locally the edge is reached as http://<label>.localhost:PORT, which Java does not resolve:
        // we connect to the loopback address and name the site in the Host header (see siteUrl).
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private final SiteUrls urls;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public SmokeCheck(SiteUrls urls) {
        this.urls = urls;
    }

    /** Null when the release serves its manifest's {@code index.html} at {@code /}; else what is wrong. */
    public Optional<String> check(Manifest manifest) throws InterruptedException {
        Optional<String> url = urls.releaseUrl(manifest.appId(), manifest.releaseId());
        if (url.isEmpty()) {
            return Optional.empty(); // no edge domain configured: nothing to reach
        }
        Manifest.File index = manifest.file("index.html").orElse(null);
        if (index == null) {
            return Optional.of("the release has no index.html to serve at /");
        }
        URI uri = URI.create(url.get());
        HttpRequest.Builder req = HttpRequest.newBuilder().timeout(Duration.ofSeconds(10)).GET();
        if (uri.getHost() != null && uri.getHost().endsWith(".localhost")) {
            req.uri(URI.create(uri.getScheme() + "://127.0.0.1:" + uri.getPort() + uri.getRawPath()))
                    .header("Host", uri.getHost() + ":" + uri.getPort());
        } else {
            req.uri(uri);
        }
        try {
            HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                return Optional.of("GET " + url.get() + " answered " + res.statusCode());
            }
            String sha = ReleaseFiles.hex("SHA-256", res.body());
            if (!sha.equals(index.sha256())) {
                return Optional.of("GET " + url.get() + " served bytes that differ from the release's index.html");
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new TransientStepException("the edge did not answer the smoke check: " + e.getMessage());
        }
    }
}
