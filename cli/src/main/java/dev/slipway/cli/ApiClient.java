package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * The Slipway HTTP API as the CLI calls it: Bearer token, JSON in and out, problem+json turned into a
 * {@link CliFailure} with its exit code. Every mutating call carries the command's Idempotency-Key, so the retries
 * here (a dropped connection, a 5xx, a key still in progress) and a script's own retry of the command with
 * {@code --idempotency-key} do the work once.
 */
public final class ApiClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");
    private static final int ATTEMPTS = 3;
    private final HttpClient http;
    private final String base;
    private final String token;
    private final String idempotencyKey;

    /** {@code base} without a trailing slash ({@code http://127.0.0.1:4747}); {@code token} null for /health only. */
    public ApiClient(String base, String token, String idempotencyKey) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base.replaceAll("/+$", "");
        this.token = token;
        this.idempotencyKey = idempotencyKey;
    }

    public String base() {
        return base;
    }

    public JsonNode get(String path) {
        return json(send("GET", path, null, null));
    }

    /** Every page of a list route ({@code path} with its query, without cursor): the items under {@code field}. */
    public com.fasterxml.jackson.databind.node.ArrayNode getAll(String path, String field) {
        com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
        String cursor = null;
        do {
            JsonNode page = get(path + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            page.path(field).forEach(all::add);
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return all;
    }

    /** A text route (a build log). */
    public String getText(String path) {
        return send("GET", path, null, null).body();
    }

    /** POST, PATCH or DELETE with a JSON body (null: none). */
    public JsonNode call(String method, String path, JsonNode body) {
        return json(send(method, path, body == null ? null : bytes(body), body == null ? null : "application/json"));
    }

    /** A request with a raw body (a zip) and extra headers, its progress told to {@code sent} (null: nobody). */
    public JsonNode upload(String path, byte[] body, String contentType, Map<String, String> headers, LongConsumer sent) {
        return json(send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), body.length, contentType, headers, sent));
    }

    /** PUT of a file to a presigned URL (not the API: no token, no key), with its headers. */
    public void putPresigned(String url, java.nio.file.Path file, Map<String, String> headers, LongConsumer sent) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30))
                    .PUT(counting(HttpRequest.BodyPublishers.ofFile(file), java.nio.file.Files.size(file), sent));
            // the signed headers but those the HTTP client sets itself (and refuses to take)
            headers.forEach((k, v) -> {
                if (!RESTRICTED.contains(k.toLowerCase(Locale.ROOT))) {
                    b.header(k, v);
                }
            });
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new CliFailure(ExitCode.FAILED, "the upload was refused (HTTP " + r.statusCode() + ")");
            }
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED, "interrupted");
        }
    }

    /** GET of a presigned URL (not the API: no token) into {@code file}; the bytes written. */
    public long getPresigned(String url, java.nio.file.Path file) {
        try {
            HttpResponse<java.nio.file.Path> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(file));
            if (r.statusCode() / 100 != 2) {
                java.nio.file.Files.deleteIfExists(file);
                throw new CliFailure(ExitCode.FAILED, "the download was refused (HTTP " + r.statusCode() + ")");
            }
            return java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED, "interrupted");
        }
    }

    HttpResponse<String> send(String method, String path, byte[] body, String contentType) {
        return send(method, path, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body),
                body == null ? 0 : body.length, contentType, Map.of(), null);
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, long length, String contentType,
                                      Map<String, String> headers, LongConsumer sent) {
        boolean mutating = MUTATING.contains(method);
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                    .method(method, sent == null ? body : counting(body, length, sent))
                    .header("accept", "application/json, application/problem+json, text/plain");
            if (token != null) {
                b.header("authorization", "Bearer " + token);
            }
            if (contentType != null) {
                b.header("content-type", contentType);
            }
            if (mutating && idempotencyKey != null) {
                b.header("idempotency-key", idempotencyKey);
            }
            headers.forEach(b::header);
            HttpResponse<String> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException | HttpConnectTimeoutException | UnknownHostException e) {
                throw unreachable(base, e);
            } catch (IOException e) {
                // the request may or may not have arrived: the same key makes sending it again safe
                if (attempt < ATTEMPTS && (!mutating || idempotencyKey != null)) {
                    pause(attempt);
                    continue;
                }
                throw unreachable(base, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(ExitCode.FAILED, "interrupted");
            }
            int status = r.statusCode();
            if (status / 100 == 2) {
                return r;
            }
            boolean inProgress = status == 409 && r.body().contains("idempotency-key-in-progress");
            if (attempt < ATTEMPTS && (status >= 500 || inProgress) && (!mutating || idempotencyKey != null)) {
                pause(attempt); // a 5xx answer is not kept with the key, so it runs again; an in-progress one answers once done
                continue;
            }
            throw failure(r);
        }
    }

    /** The failure an error answer means: its exit code and one line from its problem+json. */
    static CliFailure failure(HttpResponse<String> r) {
        int status = r.statusCode();
        String type = r.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/problem+json") || type.startsWith("application/json")) {
            try {
                JsonNode p = JSON.readTree(r.body());
                if (p != null && p.isObject()) {
                    return new CliFailure(ExitCode.ofStatus(status), problemLine(p, status), p);
                }
            } catch (IOException notJson) {
                // fall through to the plain answer
            }
        }
        String body = r.body().strip();
        return new CliFailure(ExitCode.ofStatus(status), "HTTP " + status + (body.isEmpty() ? "" : ": " + oneLine(body)));
    }

    /** {@code title: detail (slug)} and the first field errors: what a person needs, on one line. */
    static String problemLine(JsonNode p, int status) {
        StringBuilder s = new StringBuilder(p.path("title").asText("HTTP " + status));
        String detail = p.path("detail").asText("");
        if (!detail.isBlank() && !detail.equals(s.toString())) {
            s.append(": ").append(detail);
        }
        int shown = 0;
        for (JsonNode e : p.path("errors")) {
            if (shown++ == 3) {
                s.append("; …");
                break;
            }
            s.append(shown == 1 ? " — " : "; ").append(e.path("pointer").asText("")).append(' ').append(e.path("detail").asText(""));
        }
        String slug = p.path("type").asText("").replaceFirst("^urn:slipway:problem:", "");
        if (!slug.isEmpty()) {
            s.append(" (").append(slug).append(')');
        }
        return oneLine(s.toString());
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s*\\R\\s*", " ");
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }

    private static CliFailure unreachable(String where, IOException e) {
        String why = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
        return new CliFailure(ExitCode.UNREACHABLE, "cannot reach " + where + " (" + why + ")");
    }

    private static JsonNode json(HttpResponse<String> r) {
        String body = r.body();
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliFailure(ExitCode.FAILED, "the API answered something that is not JSON (HTTP " + r.statusCode() + ")");
        }
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(500L << (attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED, "interrupted");
        }
    }

    /** A body that tells {@code sent} how many bytes went out so far (a progress bar). */
    private static HttpRequest.BodyPublisher counting(HttpRequest.BodyPublisher body, long length, LongConsumer sent) {
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return length;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                body.subscribe(new Flow.Subscriber<>() {
                    private long total;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        subscriber.onSubscribe(s);
                    }

                    @Override
                    public void onNext(ByteBuffer item) {
                        total += item.remaining();
                        subscriber.onNext(item);
                        if (sent != null) {
                            sent.accept(total);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        subscriber.onError(t);
                    }

                    @Override
                    public void onComplete() {
                        subscriber.onComplete();
                    }
                });
            }
        };
    }
}
