package dev.slipway.shared.deploy.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4aHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.RegionSet;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The router in AWS: the CloudFront KeyValueStore the viewer-request function reads, written
 * through its data-plane API (DescribeKeyValueStore for the ETag, then PutKey/DeleteKey with
 * If-Match, again on a stale ETag).
 *
 * <p>The API is called over the SDK's HTTP client and signed by the SDK's own SigV4a signer: the
 * generated {@code cloudfrontkeyvaluestore} client is not in the registry this build reaches, and
 * the four REST calls are small. SigV4a in SDK v2 is CRT-based: {@link AwsV4aHttpSigner#create()}
 * needs {@code software.amazon.awssdk:http-auth-aws-crt} (which brings {@code aws-crt}) at run time;
 * the function that deploys declares it.
 */
public final class KeyValueStoreRouter implements Router {
    /** The service name SigV4a signs for. */
    static final String SIGNING_NAME = "cloudfront-keyvaluestore";
    /** For AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE (tests point it at a fake). */
    static final String SERVICE_ID = "CLOUDFRONT_KEYVALUESTORE";
    static final int ATTEMPTS = 5;

    private final String arn;
    private final URI endpoint;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final AwsV4aHttpSigner signer;

    public KeyValueStoreRouter(String arn, URI endpoint, SdkHttpClient http, AwsCredentialsProvider credentials) {
        this.arn = arn;
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", ""));
        this.http = http;
        this.credentials = credentials;
        this.signer = AwsV4aHttpSigner.create();
    }

    public static KeyValueStoreRouter create(Config config, String arn) {
        return create(new AwsClients(config), arn);
    }

    public static KeyValueStoreRouter create(AwsClients clients, String arn) {
        URI endpoint = clients.endpoint(SERVICE_ID).orElseGet(() -> defaultEndpoint(arn));
        return new KeyValueStoreRouter(arn, endpoint, clients.http(), clients.credentials());
    }

    /** {@code arn:aws:cloudfront::123456789012:key-value-store/id} → https://123456789012.cloudfront-kvs.global.api.aws */
    static URI defaultEndpoint(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6 || !parts[2].equals("cloudfront") || !parts[4].matches("\\d{12}")
                || !parts[5].startsWith("key-value-store/")) {
            throw new IllegalArgumentException("not a CloudFront KeyValueStore ARN: " + arn);
        }
        return URI.create("https://" + parts[4] + ".cloudfront-kvs.global.api.aws");
    }

    @Override
    public void point(String hostLabel, String releaseId, String tokenSha256) {
        point(hostLabel, new RouteEntry(releaseId, tokenSha256));
    }

    @Override
    public void point(String hostLabel, RouteEntry entry) {
        Router.checkEntry(hostLabel, entry);
        String value = entry.encode();
        byte[] body = Json.write(Json.object().put("Value", value)).getBytes(StandardCharsets.UTF_8);
        write(SdkHttpMethod.PUT, hostLabel, body);
    }

    @Override
    public void remove(String hostLabel) {
        Router.checkRemoval(hostLabel);
        write(SdkHttpMethod.DELETE, hostLabel, null);
    }

    @Override
    public Optional<RouteEntry> lookup(String hostLabel) {
        if (!SiteAddress.isRouterKey(hostLabel) && !Router.isReleaseHost(hostLabel)) {
            return Optional.empty();
        }
        Reply r = call(SdkHttpMethod.GET, keyPath(hostLabel), null, null);
        if (r.status == 404) {
            return Optional.empty();
        }
        r.require("GetKey");
        JsonNode value = Json.parse(r.body).get("Value");
        return value == null || !value.isTextual() ? Optional.empty() : RouteEntry.decode(value.asText());
    }

    /** The store's current ETag (DescribeKeyValueStore). */
    String etag() {
        Reply r = call(SdkHttpMethod.GET, storePath(), null, null);
        r.require("DescribeKeyValueStore");
        if (r.etag == null) {
            throw new IllegalStateException("DescribeKeyValueStore returned no ETag");
        }
        return r.etag;
    }

    private void write(SdkHttpMethod method, String key, byte[] body) {
        String op = method == SdkHttpMethod.PUT ? "PutKey" : "DeleteKey";
        for (int attempt = 1; ; attempt++) {
            Reply r = call(method, keyPath(key), etag(), body);
            if (r.ok() || (method == SdkHttpMethod.DELETE && r.status == 404)) {
                return;
            }
            boolean stale = r.status == 409 || r.status == 412;
            if (!stale || attempt >= ATTEMPTS) {
                r.require(op);
            }
            try {
                Thread.sleep(50L * attempt * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private String storePath() {
        return "/key-value-stores/" + SdkHttpUtils.urlEncode(arn);
    }

    private String keyPath(String key) {
        return storePath() + "/keys/" + SdkHttpUtils.urlEncode(key);
    }

    private Reply call(SdkHttpMethod method, String path, String ifMatch, byte[] body) {
        URI uri = URI.create(endpoint + path);
        SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder()
                .method(method)
                .uri(uri)
                .putHeader("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort())
                .putHeader("Accept", "application/json");
        if (ifMatch != null) {
            b.putHeader("If-Match", ifMatch);
        }
        ContentStreamProvider payload = null;
        if (body != null) {
            payload = ContentStreamProvider.fromByteArray(body);
            b.putHeader("Content-Type", "application/json").putHeader("Content-Length", Integer.toString(body.length));
        }
        SdkHttpFullRequest request = b.build();
        ContentStreamProvider toSign = payload;
        SignedRequest signed = signer.sign(s -> s
                .identity(credentials.resolveCredentials())
                .request(request)
                .payload(toSign)
                .putProperty(AwsV4aHttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4aHttpSigner.REGION_SET, RegionSet.GLOBAL));
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            String text = "";
            if (response.responseBody().isPresent()) {
                try (InputStream in = response.responseBody().get()) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Reply(response.httpResponse().statusCode(),
                    response.httpResponse().firstMatchingHeader("ETag").orElse(null),
                    response.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse(null), text);
        } catch (IOException e) {
            throw new UncheckedIOException("CloudFront KeyValueStore " + method + " " + path, e);
        }
    }

    private record Reply(int status, String etag, String errorType, String body) {
        boolean ok() {
            return status / 100 == 2;
        }

        void require(String op) {
            if (!ok()) {
                throw new IllegalStateException("CloudFront KeyValueStore " + op + " failed: HTTP " + status
                        + (errorType == null ? "" : " " + errorType) + " " + body);
            }
        }
    }
}
