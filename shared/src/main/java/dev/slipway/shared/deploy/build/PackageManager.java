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
 * npm is run directly; yarn and pnpm through {@code corepack} when it is on PATH, else through
 * {@code npx --yes <pm>@<major>}; bun only when {@code bun} itself is on PATH.
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
     * How to call this package manager given the tools on {@code path}: a shell prefix such as
     * {@code "npm"} or {@code "corepack pnpm"}, or empty when none is available.
     */
    Optional<String> launcher(ExecutableLookup path, Path lockfile) {
        return switch (this) {
            case NPM -> path.has("npm") ? Optional.of("npm") : Optional.empty();
            case BUN -> path.has("bun") ? Optional.of("bun") : Optional.empty();
            case YARN, PNPM -> {
                if (path.has("corepack")) {
                    yield Optional.of("corepack " + id);
                }
                if (path.has("npx")) {
                    yield Optional.of("npx --yes " + id + "@" + (this == PNPM ? "9" : isYarnBerry(lockfile) ? "4" : "1"));
                }
                yield Optional.empty();
            }
        };
    }

    /** What is missing when {@link #launcher} is empty. */
    String unavailableReason() {
        return switch (this) {
            case NPM -> "npm is not on PATH";
            case BUN -> "bun is needed for this app (bun lockfile) but is not on PATH";
            case YARN, PNPM -> id + " is needed for this app (" + lockfiles.get(0)
                    + ") but neither corepack nor npx is on PATH";
        };
    }

    /** The default install command, given the launcher and whether a lockfile pins the dependencies. */
    String installCommand(String launcher, Path lockfile) {
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

    String buildCommand(String launcher) {
        return launcher + " run build";
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
