package dev.slipway.shared.deploy.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KeyValueStoreRouter against a stand-in of the KVS data-plane API (the REST shapes of its API
 * reference): real SigV4a signing (CRT), ETag/If-Match optimistic concurrency, 409 on a stale ETag.
 */
class KeyValueStoreRouterTest {
    private static final String ARN = "arn:aws:cloudfront::123456789012:key-value-store/6b1e7f3c-1111-2222-3333-444455556666";
    private static final String REL = "01jxa7m2q3r4s5t6v7w8x9yz0a";

    private HttpServer server;
    private SdkHttpClient http;
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private final AtomicInteger version = new AtomicInteger(1);
    /** Writes that another writer slips in before the next If-Match check. */
    private final AtomicInteger racingWrites = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> regionSets = new CopyOnWriteArrayList<>();
    private KeyValueStoreRouter router;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::serve);
        server.start();
        http = ApacheHttpClient.builder().build();
        router = new KeyValueStoreRouter(ARN, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), http,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            regionSets.add(String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Region-Set")));
            String raw = ex.getRequestURI().getRawPath();
            String store = "/key-value-stores/" + URLEncoding.encode(ARN);
            if (!raw.startsWith(store)) {
                send(ex, 404, null, "ResourceNotFoundException", "{\"Message\":\"no such store\"}");
                return;
            }
            String method = ex.getRequestMethod();
            if (raw.equals(store) && method.equals("GET")) {
                send(ex, 200, etag(), null, "{\"KvsARN\":\"" + ARN + "\",\"ItemCount\":" + keys.size() + "}");
                return;
            }
            String key = URLEncoding.decode(raw.substring((store + "/keys/").length()));
            if (method.equals("GET")) {
                String v = keys.get(key);
                if (v == null) {
                    send(ex, 404, null, "ResourceNotFoundException", "{\"Message\":\"Key not found\"}");
                } else {
                    send(ex, 200, null, null, Json.write(Json.object().put("Key", key).put("Value", v)));
                }
                return;
            }
            if (racingWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                version.incrementAndGet();
            }
            if (!etag().equals(ex.getRequestHeaders().getFirst("If-Match"))) {
                send(ex, 409, null, "ConflictException", "{\"Message\":\"Pre-condition failed\"}");
                return;
            }
            if (method.equals("PUT")) {
                JsonNode body = Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                keys.put(key, body.get("Value").asText());
            } else if (keys.remove(key) == null) {
                send(ex, 404, null, "ResourceNotFoundException", "{\"Message\":\"Key not found\"}");
                return;
            }
            version.incrementAndGet();
            send(ex, 200, etag(), null, "{\"ItemCount\":" + keys.size() + ",\"TotalSizeInBytes\":1}");
        }
    }

    private String etag() {
        return "ETAG" + version.get();
    }

    private static void send(HttpExchange ex, int status, String etag, String errorType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (etag != null) {
            ex.getResponseHeaders().set("ETag", etag);
        }
        if (errorType != null) {
            ex.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Test
    void pointLookupRemove() {
        router.point("shop", REL);
        router.point("feature-x--shop", REL);
        assertEquals(Optional.of(RouteEntry.of(REL)), router.lookup("shop"));
        assertEquals(REL, keys.get("feature-x--shop"));
        router.remove("shop");
        assertEquals(Optional.empty(), router.lookup("shop"));
        router.remove("shop"); // already gone: not an error
        assertEquals(Optional.empty(), router.lookup("nobody"));
    }

    @Test
    void protectedEntryCarriesTheTokenHash() {
        String hash = RouteEntry.sha256Hex("tok-" + "a".repeat(39));
        router.point("beta--shop", REL, hash);
        assertEquals(REL + ":" + hash, keys.get("beta--shop"), "the value viewer-request.js reads");
        assertEquals(Optional.of(new RouteEntry(REL, hash)), router.lookup("beta--shop"));
        router.point("beta--shop", REL); // made public again
        assertEquals(REL, keys.get("beta--shop"));
        assertEquals(Optional.of(RouteEntry.of(REL)), router.lookup("beta--shop"));
        keys.put("legacy", "not-a-route");
        assertEquals(Optional.empty(), router.lookup("legacy"));
        assertThrows(IllegalArgumentException.class, () -> router.point("shop", REL, hash.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> router.point("shop", REL, hash.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> router.point("shop", REL, ""));
    }

    @Test
    void signsWithSigV4aForEveryRegion() {
        router.point("shop", REL);
        assertTrue(authorizations.stream().allMatch(a -> a.startsWith("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/")
                && a.contains("/cloudfront-keyvaluestore/aws4_request")), authorizations.toString());
        assertTrue(regionSets.stream().allMatch("*"::equals), regionSets.toString());
    }

    @Test
    void retriesOnAStaleEtag() {
        racingWrites.set(2);
        router.point("shop", REL);
        assertEquals(REL, keys.get("shop"));
    }

    @Test
    void givesUpAfterAFewConflicts() {
        racingWrites.set(KeyValueStoreRouter.ATTEMPTS + 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> router.point("shop", REL));
        assertTrue(e.getMessage().contains("ConflictException"), e.getMessage());
    }

    @Test
    void rejectsWhatNoHostCouldAskFor() {
        assertThrows(IllegalArgumentException.class, () -> router.point(REL + "--shop", REL));
        assertThrows(IllegalArgumentException.class, () -> router.point("shop", "01JXA7M2Q3R4S5T6V7W8X9YZ0A"));
        assertThrows(IllegalArgumentException.class, () -> router.remove("Shop"));
    }

    @Test
    void defaultEndpointComesFromTheArn() {
        assertEquals(URI.create("https://123456789012.cloudfront-kvs.global.api.aws"), KeyValueStoreRouter.defaultEndpoint(ARN));
        assertThrows(IllegalArgumentException.class, () -> KeyValueStoreRouter.defaultEndpoint("arn:aws:s3:::bucket"));
    }

    /** Percent-encoding as the SDK does it for path labels. */
    private static final class URLEncoding {
        static String encode(String s) {
            return software.amazon.awssdk.utils.http.SdkHttpUtils.urlEncode(s);
        }

        static String decode(String s) {
            return SiteAddress.percentDecode(s).orElseThrow();
        }
    }
}
