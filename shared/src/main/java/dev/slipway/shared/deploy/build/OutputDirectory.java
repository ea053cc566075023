package dev.slipway.shared.deploy.build;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules for a build's output directory.
 * <ul>
 *   <li>The setting is a relative path inside the source: not blank, not {@code .}, not absolute, no {@code ..}
 *       segment. Default {@code dist}.</li>
 *   <li>After the build it must exist, be a real directory (not a symlink), and resolve inside the source.</li>
 *   <li>Symlinks inside it: one whose target resolves outside the output dir, a dangling one, or one to a
 *       directory rejects the build. One to a regular file inside the output dir is replaced by a copy of that
 *       file, so what is uploaded is a plain tree of regular files. Special files (fifos, sockets) are rejected.</li>
 *   <li>It must hold at least one regular file.</li>
 * </ul>
 */
final class OutputDirectory {
    static final String DEFAULT = "dist";

    private OutputDirectory() {
    }

    /** The output dir setting as a normalised relative path, or an error message. */
    sealed interface Setting permits Ok, Invalid {
    }

    record Ok(Path relative) implements Setting {
    }

    record Invalid(String reason) implements Setting {
    }

    static Setting parse(String setting) {
        String s = setting == null ? DEFAULT : setting.trim();
        String shown = "output dir '" + s + "'";
        if (s.isEmpty()) {
            return new Invalid("the output dir setting is empty");
        }
        if (s.startsWith("/") || s.startsWith("\\") || s.matches("^[A-Za-z]:.*") || s.startsWith("~")) {
            return new Invalid(shown + " must be a relative path inside the app");
        }
        for (String segment : s.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return new Invalid(shown + " must not contain '..'");
            }
        }
        Path rel;
        try {
            rel = Path.of(s).normalize();
        } catch (InvalidPathException e) {
            return new Invalid(shown + " is not a valid path");
        }
        if (rel.isAbsolute() || rel.toString().isEmpty() || rel.toString().equals(".")) {
            return new Invalid(shown + " must name a folder inside the app, not the app itself");
        }
        return new Ok(rel);
    }

    static final String VERCEL_OUTPUT = ".vercel/output";
    /** A real Lovable TanStack export's config names Nitro's vercel preset: what it built instead (the buildspec says the same). */
    static final String VERCEL_HINT = " (it wrote Vercel's Build Output in .vercel/output, which Slipway does not run: set the"
            + " framework's preset to node-server, e.g. nitro: { preset: \"node-server\" }, or an outputDir)";

    /** Checks (and flattens internal file symlinks in) the built output; null when fine, else the reason. */
    static String check(Path sourceDir, Path relative) throws IOException {
        String name = relative.toString().replace('\\', '/');
        Path out = sourceDir.resolve(relative);
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return "the build produced no output dir '" + name + "'" + (Files.isDirectory(sourceDir.resolve(VERCEL_OUTPUT),
                    LinkOption.NOFOLLOW_LINKS) ? VERCEL_HINT : "");
        }
        if (Files.isSymbolicLink(out)) {
            return "output dir '" + name + "' is a symlink; it must be a real directory";
        }
        if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            return "output dir '" + name + "' is not a directory";
        }
        Path realSource = sourceDir.toRealPath();
        Path realOut = out.toRealPath();
        if (!realOut.startsWith(realSource) || realOut.equals(realSource)) {
            return "output dir '" + name + "' resolves outside the app";
        }
        List<Path> fileLinks = new ArrayList<>();
        String[] problem = {null};
        long[] files = {0};
        Files.walkFileTree(realOut, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String shown = name + "/" + realOut.relativize(file).toString().replace('\\', '/');
                if (attrs.isSymbolicLink()) {
                    Path target;
                    try {
                        target = file.toRealPath();
                    } catch (IOException e) {
                        problem[0] = shown + " is a dangling symlink";
                        return FileVisitResult.TERMINATE;
                    }
                    if (!target.startsWith(realOut)) {
                        problem[0] = shown + " is a symlink pointing outside the output dir";
                        return FileVisitResult.TERMINATE;
                    }
                    if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                        problem[0] = shown + " is a symlink to a directory; only regular files are allowed";
                        return FileVisitResult.TERMINATE;
                    }
                    fileLinks.add(file);
                    files[0]++;
                } else if (attrs.isRegularFile()) {
                    files[0]++;
                } else if (!attrs.isDirectory()) {
                    problem[0] = shown + " is not a regular file";
                    return FileVisitResult.TERMINATE;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (problem[0] != null) {
            return "build output rejected: " + problem[0];
        }
        if (files[0] == 0) {
            return "the build produced no files in '" + name + "'";
        }
        for (Path link : fileLinks) {
            Path target = link.toRealPath();
            Path tmp = link.resolveSibling(link.getFileName() + ".slipway-tmp");
            Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return null;
    }
}
