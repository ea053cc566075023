package dev.slipway.local.imports;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.net.PublicAddress;
import dev.slipway.shared.imports.tree.ImportFile;
import dev.slipway.shared.imports.tree.ImportLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The git-URL import against a real smart-HTTP server over TLS (C git's http-backend). Loopback is
 * allowed here only through the test's own address policy and certificate check switch; the
 * standard policy refuses it (ImportApiTest).
 */
class GitUrlImportTest {
    @TempDir
    static Path root;
    @TempDir
    Path temp;
    private static GitHttpsServer server;
    private static final ImportLimits LIMITS = ImportLimits.DEFAULT;
    /** Loopback and the test server's own port allowed (the standard import allows neither). */
    private static GitUrlImport LOOPBACK_ALLOWED;

    @BeforeAll
    static void serve() throws Exception {
        // The server side is C git's http-backend: present wherever the repository was cloned with git.
        boolean git;
        try {
            git = new ProcessBuilder("git", "http-backend", "--help").start().waitFor() >= 0;
        } catch (java.io.IOException e) {
            git = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(git, "git is not installed: the git-URL fetch tests need it as the server");
        server = new GitHttpsServer(root);
        LOOPBACK_ALLOWED = new GitUrlImport(a -> true, Set.of(server.port()), 50L << 20, Duration.ofSeconds(20), false);
        Map<String, String> files = new LinkedHashMap<>(Exports.lovable("from git"));
        files.remove("node_modules/react/index.js");
        server.repository("shop", files, List.of());
        server.repository("private-shop", Map.of("index.html", "<h1>private</h1>"), List.of());
        server.repository("linked", Map.of("index.html", "<h1>hi</h1>"), List.of("passwd"));
        Map<String, String> big = new LinkedHashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[48_000];
            random.nextBytes(noise);
            big.put("blob-" + i + ".txt", java.util.Base64.getEncoder().encodeToString(noise));
        }
        server.repository("big", big, List.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBranchIsFetchedShallowAndItsTreeGoesThroughTheSameRules() throws Exception {
        GitUrlImport.Fetched f = LOOPBACK_ALLOWED.fetch(server.url("shop"), "main", temp, LIMITS);
        try (var tree = f.tree()) {
            List<String> paths = tree.files().stream().map(ImportFile::path).toList();
            assertTrue(paths.contains("src/App.tsx"), paths.toString());
            assertFalse(paths.contains(".env"), "taken out like a zip's");
            assertTrue(tree.envFiles().containsKey(".env"));
            assertTrue(paths.stream().noneMatch(p -> p.startsWith("dist/")), paths.toString());
            assertTrue(Files.readString(tree.root().resolve("src/App.tsx")).contains("from git"));
            assertTrue(f.label().startsWith(server.url("shop") + " (main at "), f.label());
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(), left.toList(), "the fetched repository is removed");
        }
    }

    @Test
    void aTagIsFetchedToo() throws Exception {
        try (var tree = LOOPBACK_ALLOWED.fetch(server.url("shop"), "v1", temp, LIMITS).tree()) {
            assertFalse(tree.files().isEmpty());
        }
    }

    @Test
    void credentialsInTheUrlAreUsedButNeverRepeated() throws Exception {
        DomainException refused = assertThrows(DomainException.class,
                () -> LOOPBACK_ALLOWED.fetch(server.url("private-shop"), "main", temp, LIMITS));
        assertEquals(DomainError.GIT_FETCH_FAILED, refused.error(), "the server wants credentials");
        String url = server.url("private-shop").replace("https://",
                "https://" + GitHttpsServer.USER + ":" + GitHttpsServer.PASSWORD + "@");
        GitUrlImport.Fetched f = LOOPBACK_ALLOWED.fetch(url, "main", temp, LIMITS);
        try (var tree = f.tree()) {
            assertEquals(List.of("index.html"), tree.files().stream().map(ImportFile::path).toList());
            assertFalse(f.label().contains("ghp_secretvalue123"), f.label());
        }
        DomainException missing = assertThrows(DomainException.class,
                () -> LOOPBACK_ALLOWED.fetch(url.replace("shop.git", "nothing.git"), "main", temp, LIMITS));
        assertFalse(missing.detail().contains("ghp_secretvalue123"), missing.detail());
    }

    @Test
    void failuresAreProblems() {
        DomainException ref = assertThrows(DomainException.class,
                () -> LOOPBACK_ALLOWED.fetch(server.url("shop"), "no-such-branch", temp, LIMITS));
        assertEquals(DomainError.GIT_REF_NOT_FOUND, ref.error());
        DomainException link = assertThrows(DomainException.class,
                () -> LOOPBACK_ALLOWED.fetch(server.url("linked"), "main", temp, LIMITS));
        assertEquals(DomainError.ARCHIVE_SYMLINK, link.error());
        GitUrlImport small = new GitUrlImport(a -> true, Set.of(server.port()), 200_000, Duration.ofSeconds(20), false);
        DomainException big = assertThrows(DomainException.class, () -> small.fetch(server.url("big"), "main", temp, LIMITS));
        assertEquals(DomainError.GIT_FETCH_TOO_LARGE, big.error(), big.detail());
        GitUrlImport strictTls = new GitUrlImport(a -> true, Set.of(server.port()), 50L << 20, Duration.ofSeconds(20), true);
        assertEquals(DomainError.GIT_FETCH_FAILED, assertThrows(DomainException.class,
                () -> strictTls.fetch(server.url("shop"), "main", temp, LIMITS)).error(), "an untrusted certificate is refused");
    }

    @Test
    void onlyPort443PassesUnlessTheStackAllowsMore() throws Exception {
        GitUrlImport standard = GitUrlImport.standard(LIMITS);
        for (String url : List.of("https://140.82.121.3:22/owner/repo.git", "https://140.82.121.3:80/owner/repo.git",
                "https://140.82.121.3:8443/owner/repo.git", "https://140.82.121.3:6379/owner/repo.git")) {
            DomainException refused = assertThrows(DomainException.class, () -> standard.check(url), url);
            assertEquals(DomainError.GIT_URL_INVALID, refused.error(), url);
            String port = url.substring(url.lastIndexOf(':') + 1, url.indexOf('/', 8));
            assertTrue(refused.detail().contains("port " + port), refused.detail());
        }
        standard.check("https://140.82.121.3/owner/repo.git");
        standard.check("https://140.82.121.3:443/owner/repo.git");
        // The test server's own port is refused by the standard import, even where loopback were allowed ...
        DomainException own = assertThrows(DomainException.class,
                () -> new GitUrlImport(a -> true, 50L << 20, Duration.ofSeconds(20), false).fetch(server.url("shop"), "main", temp, LIMITS));
        assertEquals(DomainError.GIT_URL_INVALID, own.error(), own.detail());
        // ... and GIT_URL_ALLOWED_PORTS can allow more.
        assertEquals(Set.of(443), GitUrlImport.ports(null));
        assertEquals(Set.of(443), GitUrlImport.ports(" "));
        assertEquals(Set.of(443, 8443), GitUrlImport.ports("443, 8443"));
        assertThrows(IllegalStateException.class, () -> GitUrlImport.ports("443,ssh"));
        assertThrows(IllegalStateException.class, () -> GitUrlImport.ports("0"));
        GitUrlImport.standard(LIMITS, GitUrlImport.ports("443,8443")).check("https://140.82.121.3:8443/owner/repo.git");
    }

    @Test
    void onlyPublicAddressesPassTheStandardPolicy() throws Exception {
        for (String a : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1", "2002:c0a8:0101::1")) {
            assertFalse(PublicAddress.isPublic(InetAddress.getByName(a)), a);
        }
        for (String a : List.of("140.82.121.3", "8.8.8.8", "2606:4700:4700::1111")) {
            assertTrue(PublicAddress.isPublic(InetAddress.getByName(a)), a);
        }
    }

}
