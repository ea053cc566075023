package dev.slipway.shared.deploy.build.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A build phase inside bubblewrap ({@code bwrap}, Debian's {@code bubblewrap} package): new user, PID, network,
 * IPC, UTS and cgroup namespaces, no capabilities, a read-only root holding only
 * <ul>
 *   <li>the toolchain: {@code /usr} (and the {@code /bin}, {@code /lib*} links), the directories on {@code PATH}
 *       and the install prefix of {@code node}, all read-only;</li>
 *   <li>the few {@code /etc} files tools need (CA certificates, passwd/group, name service, time zone);</li>
 *   <li>the build's own folders, read-write, at fixed paths: the app at {@value #APP}, its home at {@value #HOME},
 *       {@code /tmp}, its package-manager caches at {@value #CACHES};</li>
 *   <li>on a dependency-cache hit, the cached {@code node_modules} read-only over the app's (tool scratch folders
 *       inside it writable and thrown away), so no build can change what the next one gets.</li>
 * </ul>
 * Nothing else exists in there: not Slipway's data folder (admin token, master key, other apps' variables and
 * builds), not the host's home or environment. The network namespace has only its own loopback, so Slipway's
 * ports and the host's private network are unreachable; a relay ({@code egress-bridge.cjs}, run by the
 * toolchain's node) listens on {@value #PROXY_PORT} inside and forwards to the {@link EgressProxy} through a
 * Unix socket, and HTTP(S)_PROXY point at it.
 * <p>
 * No orphans: {@code --die-with-parent} kills the sandbox when the Slipway thread that started it dies (also
 * on SIGKILL of the JVM), and the PID namespace's init takes every process of the build with it.
 */
public record Bubblewrap(String executable, List<String> toolchainDirs) implements BuildSandbox {
    static final String APP = "/build/app";
    static final String HOME = "/build/home";
    static final String CACHES = "/build/caches";
    static final String TMP = "/tmp";
    static final String SLIPWAY = "/build/.slipway";
    static final String NODE = "/build/node";
    public static final int PROXY_PORT = 3128;

    /** {@code /etc} entries tools read; the rest of {@code /etc} (host keys, shadow, configs) stays out. */
    static final List<String> ETC = List.of("/etc/ssl", "/etc/ca-certificates", "/etc/ca-certificates.conf", "/etc/pki",
            "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/localtime", "/etc/alternatives",
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/mime.types", "/etc/os-release");
    /** Top-level system folders: bound read-only, or recreated as the symbolic links they are on merged-/usr systems. */
    static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

    public Bubblewrap {
        toolchainDirs = List.copyOf(toolchainDirs);
    }

    /** Finds bwrap on PATH and proves it can make the namespaces a build needs. */
    static BuildSandbox probe(Map<String, String> parentEnv) {
        String path = parentEnv.getOrDefault("PATH", "");
        Path bwrap = onPath("bwrap", path);
        if (bwrap == null) {
            return new Unavailable("bwrap (bubblewrap) is not on PATH");
        }
        try {
            Process p = new ProcessBuilder(bwrap.toString(), "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
                    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Unavailable("bwrap did not answer within 20 s");
            }
            if (p.exitValue() != 0) {
                return new Unavailable("bwrap cannot create namespaces here (" + (out.isEmpty() ? "exit " + p.exitValue() : out)
                        + "); unprivileged user namespaces may be disabled");
            }
        } catch (IOException e) {
            return new Unavailable("bwrap could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unavailable("interrupted while probing bwrap");
        }
        return new Bubblewrap(bwrap.toString(), toolchain(path));
    }

    /** PATH's directories plus the prefix node is installed in (its bin's parent: npm, corepack live there). */
    static List<String> toolchain(String path) {
        Set<String> dirs = new LinkedHashSet<>();
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isBlank() && Path.of(d).isAbsolute()) {
                dirs.add(Path.of(d).normalize().toString());
            }
        }
        Path node = onPath("node", path);
        if (node != null) {
            try {
                Path bin = node.toRealPath().getParent();
                if (bin != null && bin.getParent() != null) {
                    dirs.add(bin.getParent().toString());
                }
            } catch (IOException ignored) {
                // no node: the build says so itself
            }
        }
        return List.copyOf(dirs);
    }

    private static Path onPath(String name, String path) {
        for (String d : path.split(File.pathSeparator)) {
            if (d.isBlank()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public View view(Mounts mounts) {
        return new View(APP, HOME, TMP, CACHES, mounts.nodeHome() == null ? null : NODE);
    }

    @Override
    public boolean needsEgressProxy() {
        return true;
    }

    @Override
    public String description() {
        return "sandboxed (bubblewrap): own namespaces, no capabilities, only this build's folders and the toolchain,"
                + " network through Slipway's egress proxy (public addresses only)";
    }

    @Override
    public ProcessBuilder process(Mounts m, String shellCommand, Map<String, String> environment, EgressProxy egress)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(executable,
                "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--hostname", "slipway-build"));
        for (String dir : SYSTEM) {
            Path p = Path.of(dir);
            if (Files.isSymbolicLink(p)) {
                cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
            } else if (Files.isDirectory(p)) {
                cmd.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String etc : ETC) {
            cmd.addAll(List.of("--ro-bind-try", etc, etc));
        }
        List<Path> private_ = List.of(m.app(), m.home(), m.tmp(), m.packageCaches());
        for (String dir : toolchainDirs) {
            if (!underSystem(dir) && !holdsAny(Path.of(dir), private_) && Files.isDirectory(Path.of(dir))) {
                cmd.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        cmd.addAll(List.of("--bind", m.app().toString(), APP));
        cmd.addAll(List.of("--bind", m.home().toString(), HOME));
        cmd.addAll(List.of("--bind", m.tmp().toString(), TMP));
        cmd.addAll(List.of("--bind", m.packageCaches().toString(), CACHES));
        if (m.nodeHome() != null) {
            cmd.addAll(List.of("--ro-bind", m.nodeHome().toString(), NODE));
        }
        if (m.readOnlyNodeModules() != null) {
            cmd.addAll(List.of("--ro-bind", m.readOnlyNodeModules().toString(), APP + "/node_modules"));
            // tools' scratch folders inside node_modules (vite's bundled config, babel/webpack caches): writable,
            // in this build's own folder; the cache entry carries their (empty) mount points
            for (String scratch : NODE_MODULES_SCRATCH) {
                Path host = m.nodeModulesScratch().resolve(scratch);
                Files.createDirectories(host);
                if (Files.isDirectory(m.readOnlyNodeModules().resolve(scratch), LinkOption.NOFOLLOW_LINKS)) {
                    cmd.addAll(List.of("--bind", host.toString(), APP + "/node_modules/" + scratch));
                }
            }
        }
        String[] run;
        if (egress != null) {
            cmd.addAll(List.of("--ro-bind", egress.bridgeDir().toString(), SLIPWAY));
            run = new String[]{"node", SLIPWAY + "/" + EgressProxy.BRIDGE, String.valueOf(PROXY_PORT),
                    SLIPWAY + "/" + EgressProxy.SOCKET, "sh", "-c", shellCommand};
        } else {
            run = new String[]{"sh", "-c", shellCommand};
        }
        cmd.addAll(List.of("--remount-ro", "/", "--chdir", APP));
        cmd.addAll(List.of(run));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(m.app().toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // bwrap hands its own environment on: set exactly the build's here, never as --setenv arguments, which
        // any local user could read in the process list
        pb.environment().clear();
        pb.environment().putAll(environment);
        return pb;
    }

    /** Where an app server's folder appears in its sandbox ({@link #server}). */
    public static final String SERVER_APP = "/srv/app";

    /** Where an app server's way in ({@link #server}) appears in its sandbox. */
    static final String SERVER_IN = "/srv/in";
    /** The Unix socket, in the server's way-in folder, that reaches the port the app listens on inside. */
    public static final String SERVER_SOCKET = "app.sock";
    /** The file the relay writes in the way-in folder once the app listens. */
    public static final String SERVER_READY = "ready";

    /**
     * An app server (a release's Node process) in its own namespaces: the system and the toolchain read-only,
     * its own folder at {@link #SERVER_APP} and its own {@code /tmp}, nothing else of this machine (no Slipway
     * data, tokens or other apps). Its network namespace has only its own loopback, as a build's: it cannot
     * reach Slipway's engines (DynamoDB Local takes any credentials) or another app's server on the host's
     * loopback. The relay ({@code egress-bridge.cjs --inbound}) gives it two ways through Unix sockets: in, from
     * {@code inbound}/{@value #SERVER_SOCKET} to {@code appPort} inside (the local edge connects there), and out,
     * through the {@link EgressProxy} at {@value #PROXY_PORT} (public addresses only), which HTTP(S)_PROXY name; and to
     * its databases through {@code tunnels}, whose host names resolve to their tunnels through the proxy's hosts file
     * bound at /etc/hosts.
     */
    public ProcessBuilder server(Path appDir, Path tmp, Path inbound, int appPort, EgressProxy egress, DatabaseTunnels tunnels,
                                 List<String> command, Map<String, String> environment) {
        List<String> cmd = new ArrayList<>(List.of(executable,
                "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--hostname", "slipway-server"));
        for (String dir : SYSTEM) {
            Path p = Path.of(dir);
            try {
                if (Files.isSymbolicLink(p)) {
                    cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
                } else if (Files.isDirectory(p)) {
                    cmd.addAll(List.of("--ro-bind", dir, dir));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        for (String etc : ETC) {
            if (!etc.equals("/etc/hosts")) {
                cmd.addAll(List.of("--ro-bind-try", etc, etc));
            }
        }
        cmd.addAll(List.of("--ro-bind", egress.bridgeDir().resolve(EgressProxy.HOSTS).toString(), "/etc/hosts"));
        for (String dir : toolchainDirs) {
            if (!underSystem(dir) && !holdsAny(Path.of(dir), List.of(appDir, tmp)) && Files.isDirectory(Path.of(dir))) {
                cmd.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        cmd.addAll(List.of("--bind", appDir.toString(), SERVER_APP, "--bind", tmp.toString(), TMP));
        cmd.addAll(List.of("--bind", inbound.toString(), SERVER_IN, "--ro-bind", egress.bridgeDir().toString(), SLIPWAY));
        cmd.addAll(List.of("--remount-ro", "/", "--chdir", SERVER_APP));
        cmd.addAll(List.of("node", SLIPWAY + "/" + EgressProxy.BRIDGE, String.valueOf(PROXY_PORT), SLIPWAY + "/" + EgressProxy.SOCKET,
                "--inbound", SERVER_IN + "/" + SERVER_SOCKET, String.valueOf(appPort), SERVER_IN + "/" + SERVER_READY));
        for (DatabaseTunnels.Tunnel t : tunnels.tunnels()) {
            cmd.addAll(List.of("--tunnel", t.argument()));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(appDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(environment);
        return pb;
    }

    /**
     * Folders some tools write inside node_modules during a build; not part of the installed dependencies. {@code .nitro}:
     * TanStack Start's Nitro builds its server there (real Lovable exports failed with EROFS without it).
     */
    public static final List<String> NODE_MODULES_SCRATCH = List.of(".cache", ".vite", ".vite-temp", ".nitro");

    private static boolean underSystem(String dir) {
        for (String s : SYSTEM) {
            if (dir.equals(s) || dir.startsWith(s + "/")) {
                return true;
            }
        }
        return false;
    }

    /** A toolchain dir that contains one of the build's (or Slipway's) folders would expose its neighbours too. */
    private static boolean holdsAny(Path dir, List<Path> private_) {
        for (Path p : private_) {
            if (p.toAbsolutePath().normalize().startsWith(dir)) {
                return true;
            }
        }
        return dir.getNameCount() <= 1 || dir.equals(Path.of(System.getProperty("user.home", "/nonexistent")));
    }
}
