package dev.slipway.local.engines;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local S3 server refuses what S3 refuses: a presigned PUT whose signature covers
 * {@code content-length} accepts only a body of that length (403 SignatureDoesNotMatch otherwise,
 * nothing stored), tried with a real presigned URL and a plain HTTP client.
 */
class S3LocalEngineTest {
    private static final String BUCKET = "presign-test";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static S3LocalEngine engine;
    private static S3Client s3;
    private static S3Presigner presigner;

    @BeforeAll
    static void start() throws Exception {
        engine = S3LocalEngine.start(null, 0, "presignkey", "presignsecret");
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("presignkey", "presignsecret"));
        s3 = S3Client.builder().httpClient(ApacheHttpClient.builder().build()).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(credentials).endpointOverride(engine.endpoint()).build();
        presigner = S3Presigner.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                .endpointOverride(engine.endpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        presigner.close();
        s3.close();
        engine.close();
    }

    /** What UploadService presigns: the declared size and the content type are signed. */
    private static PresignedPutObjectRequest presign(String key, long size) {
        return presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket(BUCKET).key(key).contentLength(size).contentType("application/zip")));
    }

    private static HttpRequest.Builder put(PresignedPutObjectRequest put, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(put.url().toURI()).PUT(body);
        put.signedHeaders().forEach((h, values) -> {
            if (!h.equalsIgnoreCase("host") && !h.equalsIgnoreCase("content-length")) {
                b.header(h, String.join(",", values));
            }
        });
        return b;
    }

    private static void assertNothingStored(String key) {
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(h -> h.bucket(BUCKET).key(key)), key + " was stored");
    }

    @Test
    void aPresignedPutSignsContentLength() {
        PresignedPutObjectRequest put = presign("signed/length", 100);
        assertTrue(put.signedHeaders().containsKey("content-length"), put.signedHeaders().toString());
    }

    @Test
    void aBodyOfTheSignedLengthIsStored() throws Exception {
        byte[] body = new byte[100];
        Arrays.fill(body, (byte) 'a');
        PresignedPutObjectRequest signed = presign("exact/upload.zip", 100);
        HttpResponse<String> r = HTTP.send(put(signed, HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("exact/upload.zip")).asByteArray());
    }

    @Test
    void aLongerBodyThanSignedIsRefusedAsS3Does() throws Exception {
        PresignedPutObjectRequest signed = presign("longer/upload.zip", 100);
        HttpResponse<String> r = HTTP.send(put(signed, HttpRequest.BodyPublishers.ofByteArray(new byte[5000])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Code>SignatureDoesNotMatch</Code>"), r.body());
        assertNothingStored("longer/upload.zip");
    }

    @Test
    void aShorterBodyThanSignedIsRefusedToo() throws Exception {
        PresignedPutObjectRequest signed = presign("shorter/upload.zip", 100);
        HttpResponse<String> r = HTTP.send(put(signed, HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Code>SignatureDoesNotMatch</Code>"), r.body());
        assertNothingStored("shorter/upload.zip");
    }

    @Test
    void aChunkedBodyWithoutContentLengthIsRefused() throws Exception {
        PresignedPutObjectRequest signed = presign("chunked/upload.zip", 100);
        // ofInputStream has no known length: the client sends Transfer-Encoding: chunked, no Content-Length.
        HttpResponse<String> r = HTTP.send(put(signed, HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(new byte[5000]))).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 403 || r.statusCode() == 411, r.statusCode() + " " + r.body());
        assertNothingStored("chunked/upload.zip");
    }

    /**
     * The attack run's request: the signed Content-Length: 100 header, but a chunked body of 5,000
     * bytes (java.net.http will not send both, so this one goes over a plain socket).
     */
    @Test
    void aChunkedBodyBesideTheSignedContentLengthIsRefused() throws Exception {
        PresignedPutObjectRequest signed = presign("smuggled/upload.zip", 100);
        URI url = signed.url().toURI();
        StringBuilder head = new StringBuilder("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n")
                .append("Content-Length: 100\r\n").append("Transfer-Encoding: chunked\r\n");
        signed.signedHeaders().forEach((h, values) -> {
            if (!h.equalsIgnoreCase("host") && !h.equalsIgnoreCase("content-length")) {
                head.append(h).append(": ").append(String.join(",", values)).append("\r\n");
            }
        });
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        request.write("1388\r\n".getBytes(StandardCharsets.US_ASCII)); // 5000 in hex
        request.write(new byte[5000]);
        request.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // The server answers from the head and closes with the body unread, so TCP may reset the connection
        // under the client (a broken pipe while writing, or a reset that eats the answer): try a few times.
        String response = "";
        for (int attempt = 0; attempt < 5 && !response.startsWith("HTTP/"); attempt++) {
            response = exchange(url, request.toByteArray());
        }
        assertTrue(response.startsWith("HTTP/1.1 403"), response);
        assertTrue(response.contains("<Code>SignatureDoesNotMatch</Code>"), response);
        assertNothingStored("smuggled/upload.zip");
    }

    /** Sends {@code request} in one write and reads what comes back until the server closes (or resets). */
    private static String exchange(URI url, byte[] request) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (SocketException e) {
                // Closed while the body was still going out: what it answered is what counts.
            }
            byte[] buf = new byte[8192];
            try (InputStream in = socket.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    answer.write(buf, 0, n);
                }
            } catch (SocketException e) {
                // Reset after (or instead of) the answer: keep what arrived.
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
