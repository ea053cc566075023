package dev.slipway.local.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny HTTP/1.1 client for the local edge: sends the Host header a browser would
 * ({@code shop.localhost:PORT}) to 127.0.0.1, since Java does not resolve {@code *.localhost}.
 */
public final class EdgeClient {
    private final java.util.function.IntSupplier port;

    /** The edge listening on {@code port}; {@link dev.slipway.local.LocalSlipway#edge()} hands one out. */
    public EdgeClient(java.util.function.IntSupplier port) {
        this.port = port;
    }

    public int port() {
        return port.getAsInt();
    }

    /** The Host header a browser sends for a host label: {@code shop} → {@code shop.localhost:PORT}. */
    public String host(String hostLabel) {
        return hostLabel + ".localhost:" + port();
    }

    /** GET {@code path} of the site {@code hostLabel} ({@code shop}, {@code <release>--shop}), with header name/value pairs. */
    public Reply site(String hostLabel, String path, String... headerPairs) throws IOException {
        return get(port(), host(hostLabel), path, headerPairs);
    }

    /** Any method, headers and (JSON) body, to the site {@code hostLabel}. */
    public Reply request(String method, String hostLabel, String path, Map<String, String> headers, String body) throws IOException {
        return raw(method, host(hostLabel), path, headers, body, port());
    }

    /** See {@link #awaitPromoted(int, com.fasterxml.jackson.databind.JsonNode)}. */
    public void awaitPromoted(com.fasterxml.jackson.databind.JsonNode deployment) throws IOException, InterruptedException {
        awaitPromoted(port(), deployment);
    }

    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static Reply get(int port, String host, String path, String... headerPairs) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.put(headerPairs[i], headerPairs[i + 1]);
        }
        return raw("GET", host, path, h, null, port);
    }

    public static Reply raw(String method, String host, String path, Map<String, String> headers, String body, int port)
            throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                req.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return parse(all.toByteArray(), method.equals("HEAD"));
        }
    }

    static Reply parse(byte[] bytes, boolean head) throws IOException {
        int end = -1;
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new IOException("no header end in " + new String(bytes, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        if (head || status == 304) {
            return new Reply(status, headers, rest);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new Reply(status, headers, rest);
    }

    private static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int lineEnd = i;
            while (in[lineEnd] != '\r') {
                lineEnd++;
            }
            int size = Integer.parseInt(new String(in, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(in, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    /**
     * A promotion records SUCCEEDED with the alias move; the edge learns it right after (the router
     * call follows the transaction). Waits, briefly, until {@code appId}'s production host serves
     * what the release's own host serves.
     */
    public static void awaitProduction(int port, String appId, String releaseId) throws IOException, InterruptedException {
        byte[] release = get(port, releaseId + "--" + appId + ".localhost:" + port, "/").body();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!java.util.Arrays.equals(release, get(port, appId + ".localhost:" + port, "/").body())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("production of " + appId + " does not serve release " + releaseId + " 10 s after SUCCEEDED");
            }
            Thread.sleep(20);
        }
    }

    /** {@link #awaitProduction} for a finished deployment (JSON as the API answers) that promoted its release. */
    public static void awaitPromoted(int port, com.fasterxml.jackson.databind.JsonNode deployment) throws IOException, InterruptedException {
        if (deployment.path("status").asText().equals("SUCCEEDED") && deployment.path("promoted").asBoolean(true)) {
            awaitProduction(port, deployment.path("appId").asText(), deployment.path("releaseId").asText());
        }
    }
}
