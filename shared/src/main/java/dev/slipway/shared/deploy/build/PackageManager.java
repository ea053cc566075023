package dev.slipway.shared.deploy.build;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The package managers a build can use, and how each is recognised from its lockfile and run.
 * Each runs under its own name: the one on PATH, else a shim that runs {@code npx --yes <pm>@<version>}
 * ({@link #launcher}), so the detected commands ({@code pnpm install --frozen-lockfile}) and the app's own
 * scripts that call the package manager work as they did in the builder.
 */
enum PackageManager {
    NPM("npm", List.of("package-lock.json", "npm-shrinkwrap.json")),
    PNPM("pnpm", List.of("pnpm-lock.yaml")),
    YARN("yarn", List.of("yarn.lock")),
    BUN("bun", List.of("bun.lock", "bun.lockb"));

    final String id;
    final List<String> lockfiles;

    PackageManager(String id, List<String> lockfiles) {
        this.id = id;
        this.lockfiles = lockfiles;
    }

    /** A package manager and the lockfile it found (null when the source has none). */
    record Detected(PackageManager pm, Path lockfile) {
    }

    /**
     * The package manager named by {@code requested} ("pnpm", "pnpm@9", …; null = detect), else the
     * one whose lockfile is in {@code sourceDir}, else npm. Empty when {@code requested} is unknown.
     */
    static Optional<Detected> detect(Path sourceDir, String requested) {
        if (requested != null && !requested.isBlank()) {
            String name = requested.trim().toLowerCase(Locale.ROOT);
            int at = name.indexOf('@', 1);
            if (at > 0) {
                name = name.substring(0, at);
            }
            for (PackageManager pm : values()) {
                if (pm.id.equals(name)) {
                    return Optional.of(new Detected(pm, pm.lockfileIn(sourceDir)));
                }
            }
            return Optional.empty();
        }
        for (PackageManager pm : values()) {
            Path lock = pm.lockfileIn(sourceDir);
            if (lock != null) {
                return Optional.of(new Detected(pm, lock));
            }
        }
        return Optional.of(new Detected(NPM, null));
    }

    private Path lockfileIn(Path dir) {
        for (String name : lockfiles) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * How to call this package manager given the tools on {@code path}: its own name when it is on PATH (not for
     * yarn 2+),
     * else {@code npx --yes <package>@<version>} (npm fetches it from the configured registry through the
     * build's proxy and keeps it in the build's npm cache), or empty when neither is available. Corepack is
     * not used: its signature check of the package managers' metadata fails against today's registry.
     */
    Optional<String> launcher(ExecutableLookup path, Path sourceDir, Path lockfile) {
        // a yarn on PATH is yarn 1 as a rule: a berry (yarn 2+) lockfile gets the yarn it was written by
        boolean berry = this == YARN && npxPackage(sourceDir, lockfile).startsWith("-p ");
        if (path.has(id) && !berry) {
            return Optional.of(id);
        }
        if (this == NPM || !path.has("npx")) {
            return Optional.empty();
        }
        return Optional.of("npx --yes " + npxPackage(sourceDir, lockfile));
    }

    /**
     * The npm package (and version) that provides this package manager: the version package.json's
     * {@code packageManager} names, else the major its lockfile was written by (pnpm-lock v9 → pnpm 9, v6 → 8,
     * v5 → 7; a yarn lockfile with {@code __metadata} → yarn 4, else yarn 1; bun 1).
     */
    String npxPackage(Path sourceDir, Path lockfile) {
        String version = declaredVersion(sourceDir);
        return switch (this) {
            case NPM -> "npm@" + (version == null ? "latest" : version);
            case BUN -> "bun@" + (version == null ? "1" : version);
            case PNPM -> "pnpm@" + (version != null ? version : pnpmMajor(lockfile));
            case YARN -> {
                String v = version != null ? version : isYarnBerry(lockfile) ? "4" : "1";
                yield major(v) >= 2 ? "-p @yarnpkg/cli-dist@" + v + " yarn" : "yarn@" + v;
            }
        };
    }

    /** The version in package.json's {@code "packageManager": "<this>@<version>[+sha…]"}, or null. */
    String declaredVersion(Path sourceDir) {
        if (sourceDir == null) {
            return null;
        }
        try {
            String pkg = Files.readString(sourceDir.resolve("package.json"));
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("\"packageManager\"\\s*:\\s*\"" + id + "@([0-9][0-9A-Za-z.\\-]*)").matcher(pkg);
            return m.find() ? m.group(1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static int major(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)").matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String pnpmMajor(Path lockfile) {
        if (lockfile == null) {
            return "9";
        }
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^lockfileVersion:\\s*'?(\\d+)")
                    .matcher(Files.readString(lockfile));
            if (m.find()) {
                return switch (m.group(1)) {
                    case "5" -> "7";
                    case "6" -> "8";
                    default -> "9";
                };
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: the install says so
        }
        return "9";
    }

    /** What is missing when {@link #launcher} is empty. */
    String unavailableReason() {
        return switch (this) {
            case NPM -> "npm is not on PATH";
            case BUN, YARN, PNPM -> id + " is needed for this app (" + lockfiles.get(0)
                    + ") but neither " + id + " nor npx is on PATH";
        };
    }

    /** The default install command, given whether a lockfile pins the dependencies (run under the tool's own name). */
    String installCommand(Path lockfile) {
        String launcher = id;
        return switch (this) {
            // --replace-registry-host=always: lockfiles whose resolved URLs name another registry host
            // still install from the configured registry.
            case NPM -> lockfile != null
                    ? launcher + " ci --replace-registry-host=always --no-audit --no-fund"
                    : launcher + " install --no-audit --no-fund";
            case YARN -> lockfile == null ? launcher + " install"
                    : isYarnBerry(lockfile) ? launcher + " install --immutable" : launcher + " install --frozen-lockfile";
            case PNPM, BUN -> lockfile == null ? launcher + " install" : launcher + " install --frozen-lockfile";
        };
    }

    String buildCommand() {
        return id + " run build";
    }

    /** Yarn 2+ lockfiles carry a {@code __metadata:} block; classic ones do not. */
    static boolean isYarnBerry(Path lockfile) {
        if (lockfile == null) {
            return false;
        }
        try {
            return Files.readString(lockfile).contains("__metadata:");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether an executable exists on a PATH. */
    @FunctionalInterface
    interface ExecutableLookup {
        boolean has(String name);

        static ExecutableLookup of(String pathVariable) {
            return name -> {
                if (pathVariable == null) {
                    return false;
                }
                for (String dir : pathVariable.split(File.pathSeparator)) {
                    if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                        return true;
                    }
                }
                return false;
            };
        }
    }
}
