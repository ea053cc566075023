package dev.slipway.local.bench;

import dev.slipway.local.LocalRuntime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The admin API of the runtime a benchmark started, called as a client of `slipway up` would. */
final class BenchApi {
    private BenchApi() {
    }

    /** A JSON body (or none, when {@code json} is null); {@code timeout} null: the client's own. */
    static HttpResponse<String> call(HttpClient http, LocalRuntime runtime, String method, String path, String json, Duration timeout)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(runtime.apiUrl() + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("authorization", "Bearer " + runtime.adminToken());
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (json != null) {
            b.header("content-type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A benchmark's body: its setup, measurements and printed figures. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a benchmark's body, then ends the JVM: status 0 once it returned, 1 (after the stack trace)
     * when it threw. Closing DynamoDB Local leaves a non-daemon job thread sleeping behind, which kept
     * a finished benchmark's JVM (and so {@code ./slipway bench}) from ever exiting.
     */
    static void exitAfter(Body body) {
        int status = 0;
        try {
            body.run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /** A benchmark's setup step failed: stop with what the API said. */
    static void expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException("expected HTTP " + status + ", got " + r.statusCode() + ": " + r.body());
        }
    }
}
