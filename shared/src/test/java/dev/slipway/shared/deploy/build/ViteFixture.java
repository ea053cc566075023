package dev.slipway.shared.deploy.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The tiny real Vite + React app under {@code src/test/resources/fixtures/vite-react}: package.json with exact
 * versions, a committed package-lock.json, and a component rendering {@code import.meta.env.VITE_GREETING}.
 */
final class ViteFixture {
    static final String MAIN = "src/main.jsx";

    private ViteFixture() {
    }

    static Path source() {
        URL url = ViteFixture.class.getResource("/fixtures/vite-react/package.json");
        if (url == null) {
            throw new IllegalStateException("fixtures/vite-react is not on the test class path");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the fixture (without node_modules or dist) into {@code dir}; returns {@code dir}. */
    static Path copyTo(Path dir) {
        Path src = source();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = src.relativize(p);
                if (rel.toString().startsWith("node_modules") || rel.toString().startsWith("dist")) {
                    continue;
                }
                Path target = dir.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Copies the fixture into {@code dir}, then replaces {@code from} by {@code to} in {@code file}. */
    static Path copyTo(Path dir, String file, String from, String to) {
        copyTo(dir);
        replace(dir, file, from, to);
        return dir;
    }

    /** Replaces every {@code from} by {@code to} in {@code file}; fails if {@code from} is not there. */
    static void replace(Path dir, String file, String from, String to) {
        try {
            Path p = dir.resolve(file);
            String text = Files.readString(p);
            if (!text.contains(from)) {
                throw new IllegalArgumentException(file + " does not contain " + from);
            }
            Files.writeString(p, text.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
