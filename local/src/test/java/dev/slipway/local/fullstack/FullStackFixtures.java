package dev.slipway.local.fullstack;

import dev.slipway.local.EmbeddedEngines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The full-stack fixtures (written for these tests, with committed lockfiles so `npm ci` installs exact versions):
 * {@code next-app} (App Router: a server component reading a runtime variable, a route handler, middleware, a static
 * page) and {@code express-vite} (an Express API and server-rendered page beside a Vite client), as files an
 * export would hold.
 */
public final class FullStackFixtures {
    public static final String NEXT = "next-app";
    public static final String EXPRESS = "express-vite";

    private FullStackFixtures() {
    }

    /** The fixture's files, path → text. */
    public static Map<String, String> files(String fixture) {
        Path dir = EmbeddedEngines.repoRoot().resolve("shared/src/test/resources/fixtures").resolve(fixture);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
