package dev.slipway.local.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * C git's own smart-HTTP server, {@code git http-backend} as a CGI behind the JDK's HTTP server:
 * the baseline of {@code ./slipway bench git} and the remote a mirror pushes to in tests. Serves the
 * bare repositories under {@code root} at {@code http://127.0.0.1:PORT/<name>.git}, pushes included;
 * with a password set, every request needs HTTP Basic with it.
 */
public final class GitHttpBackend implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final String password;

    public GitHttpBackend(Path root, String password) throws IOException {
        this.root = root;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "git-http-backend");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::serve);
        server.start();
    }

    public String url(String repo) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repo + ".git";
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            if (password != null) {
                String header = ex.getRequestHeaders().getFirst("Authorization");
                String expected = "Basic " + Base64.getEncoder().encodeToString(("git:" + password).getBytes(StandardCharsets.UTF_8));
                String anyUser = header == null ? "" : new String(Base64.getDecoder().decode(header.replaceFirst("^Basic ", "").trim()),
                        StandardCharsets.UTF_8);
                if (header == null || !(header.equals(expected) || anyUser.endsWith(":" + password))) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
            }
            cgi(ex, root, "bench"); // http-backend lets an authenticated user push
        }
    }

    /**
     * Answers one request with {@code git http-backend} run as a CGI over the bare repositories under {@code root}.
     * {@code remoteUser}: who the request comes from; http-backend refuses pushes without one (null).
     */
    public static void cgi(HttpExchange ex, Path root, String remoteUser) throws IOException {
        try {
            ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
            Map<String, String> env = pb.environment();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            if (remoteUser != null) {
                env.put("REMOTE_USER", remoteUser);
            }
            env.put("PATH_INFO", ex.getRequestURI().getPath());
            env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
            env.put("REQUEST_METHOD", ex.getRequestMethod());
            env.put("REMOTE_ADDR", "127.0.0.1");
            putIf(env, "CONTENT_TYPE", ex.getRequestHeaders().getFirst("Content-Type"));
            putIf(env, "HTTP_CONTENT_ENCODING", ex.getRequestHeaders().getFirst("Content-Encoding"));
            putIf(env, "GIT_PROTOCOL", ex.getRequestHeaders().getFirst("Git-Protocol"));
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            env.put("CONTENT_LENGTH", Integer.toString(body.length));
            Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(body);
            }
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int skip = 4;
            if (split < 0) {
                split = indexOf(out, "\n\n".getBytes(StandardCharsets.US_ASCII));
                skip = 2;
            }
            int status = 200;
            for (String line : new String(out, 0, Math.max(split, 0), StandardCharsets.ISO_8859_1).split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim();
                    String value = line.substring(colon + 1).trim();
                    if (name.equalsIgnoreCase("Status")) {
                        status = Integer.parseInt(value.substring(0, 3));
                    } else {
                        ex.getResponseHeaders().add(name, value);
                    }
                }
            }
            byte[] payload = split < 0 ? new byte[0] : Arrays.copyOfRange(out, split + skip, out.length);
            ex.sendResponseHeaders(status, payload.length == 0 ? -1 : payload.length);
            if (payload.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(payload);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void putIf(Map<String, String> env, String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
