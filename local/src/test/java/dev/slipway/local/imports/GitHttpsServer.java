package dev.slipway.local.imports;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.slipway.local.bench.GitHttpBackend;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real smart-HTTP git server over TLS for tests: C git's {@code git http-backend} ({@link GitHttpBackend#cgi}) behind the JDK's
 * HTTPS server, with a throw-away self-signed certificate made by keytool. Serves the bare
 * repositories under one folder at {@code https://127.0.0.1:PORT/<name>.git}.
 */
public final class GitHttpsServer implements AutoCloseable {
    private final HttpsServer server;
    private final Path root;

    GitHttpsServer(Path root) throws Exception {
        this(root, 0);
    }

    /** On {@code port} (0: any free one), for a test that must name the port before it starts. */
    public GitHttpsServer(Path root, int port) throws Exception {
        this.root = root;
        Path keystore = root.resolve("tls.p12");
        run(root, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "git",
                "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::serve);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String repo) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/" + repo + ".git";
    }

    /** A bare repository {@code name.git} whose main branch holds {@code files} (and a tag v1). */
    public Path repository(String name, Map<String, String> files, List<String> symlinks) throws Exception {
        Path work = root.resolve(name + "-work");
        Files.createDirectories(work);
        run(root, "git", "init", "-q", "-b", "main", work.toString());
        for (var f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        for (String link : symlinks) {
            Files.createSymbolicLink(work.resolve(link), Path.of("/etc/passwd"));
        }
        run(work, "git", "add", "-A");
        run(work, "git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "export");
        run(work, "git", "tag", "v1");
        Path bare = root.resolve(name + ".git");
        run(root, "git", "clone", "-q", "--bare", work.toString(), bare.toString());
        return bare;
    }

    /** Repositories whose name starts with "private-" need this user and password (HTTP basic). */
    static final String USER = "x-access-token";
    static final String PASSWORD = "ghp_secretvalue123";

    private void serve(HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getPath().startsWith("/private-")) {
            String expected = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
        }
        try (ex) {
            GitHttpBackend.cgi(ex, root, null); // clones and fetches only
        }
    }

    public static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
