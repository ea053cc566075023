package dev.slipway.cli.folder;

import org.eclipse.jgit.ignore.IgnoreNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A folder as the zip an import takes, leaving out what git would: every {@code .gitignore} on the way (deeper files
 * win, the last matching line of a file wins, {@code !} re-includes, a folder left out takes everything under it
 * along, as in git), {@code .git/info/exclude}, {@code .git/} itself and the CLI's {@code .slipway-app}; and the
 * folders an import drops anyway ({@code node_modules/}), so they are never uploaded. Rules are parsed by JGit's
 * {@link IgnoreNode}, the same code JGit's own status uses. Symbolic links and special files are left out (an
 * import refuses them) and counted in {@link Listing#skipped()}.
 */
public final class FolderArchive {
    /** The files to zip (paths relative to the folder, '/'-separated, in walk order), their bytes, and what was left out. */
    public record Listing(Path root, List<String> files, long bytes, List<String> ignored, List<String> skipped) {
    }

    /** The CLI's file naming the folder's app (Settings.APP_FILE), never part of an import. */
    public static final String LINK_FILE = ".slipway-app";

    /** Folders every import drops wherever they are (shared's PathRules): not worth uploading even when not ignored. */
    static final java.util.Set<String> IMPORT_DROPS = java.util.Set.of("node_modules", "__MACOSX");

    private record Rules(String dir, IgnoreNode node) {
    }

    private FolderArchive() {
    }

    public static Listing list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a folder");
        }
        List<String> files = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Deque<Rules> rules = new ArrayDeque<>();
        Path exclude = root.resolve(".git/info/exclude");
        if (Files.isRegularFile(exclude)) {
            rules.push(new Rules("", parse(exclude)));
        }
        long[] bytes = {0};
        walk(root, "", rules, files, ignored, skipped, bytes);
        return new Listing(root, files, bytes[0], ignored, skipped);
    }

    private static void walk(Path dir, String rel, Deque<Rules> rules, List<String> files, List<String> ignored,
                             List<String> skipped, long[] bytes) throws IOException {
        Path gitignore = dir.resolve(".gitignore");
        boolean own = Files.isRegularFile(gitignore, LinkOption.NOFOLLOW_LINKS);
        if (own) {
            rules.push(new Rules(rel, parse(gitignore)));
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        }
        entries.sort(null); // the same zip for the same folder
        for (Path p : entries) {
            String name = p.getFileName().toString();
            String path = rel.isEmpty() ? name : rel + "/" + name;
            boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            if ((isDir && name.equals(".git")) || (rel.isEmpty() && name.equals(LINK_FILE))) {
                continue; // git's own folder; the CLI's link to the app is this checkout's, not the app's
            }
            if (ignored(rules, path, isDir) || (isDir && IMPORT_DROPS.contains(name))) {
                ignored.add(isDir ? path + "/" : path);
            } else if (isDir) {
                walk(p, path, rules, files, ignored, skipped, bytes);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                files.add(path);
                bytes[0] += Files.size(p);
            } else {
                skipped.add(path);
            }
        }
        if (own) {
            rules.pop();
        }
    }

    /** Git's answer for one path: the deepest .gitignore with a matching line decides. */
    static boolean ignored(Deque<Rules> rules, String path, boolean isDir) {
        for (Rules r : rules) { // innermost first
            String relative = r.dir.isEmpty() ? path : path.substring(r.dir.length() + 1);
            Boolean answer = r.node.checkIgnored(relative, isDir);
            if (answer != null) {
                return answer;
            }
        }
        return false;
    }

    private static IgnoreNode parse(Path file) throws IOException {
        IgnoreNode n = new IgnoreNode();
        try (InputStream in = Files.newInputStream(file)) {
            n.parse(in);
        }
        return n;
    }

    /** Writes the listed files as a zip (no top folder), telling {@code written} the bytes of files done so far. */
    public static void zip(Listing listing, OutputStream out, LongConsumer written) throws IOException {
        long done = 0;
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String f : listing.files()) {
                ZipEntry e = new ZipEntry(f);
                Path p = listing.root().resolve(f);
                e.setLastModifiedTime(Files.getLastModifiedTime(p));
                zip.putNextEntry(e);
                done += Files.copy(p, zip);
                zip.closeEntry();
                if (written != null) {
                    written.accept(done);
                }
            }
        }
    }
}
