package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Feeds entries from any source (zip now, a git tree later) through the same rules, writing file
 * contents only inside its own temporary work folder.
 *
 * <p>Order of the rules for each entry: entry count; hostile names (empty, backslash, absolute,
 * {@code ..}) for every entry; then entries in left-out folders ({@code node_modules/}, {@code .git/},
 * {@code __MACOSX/}) and OS junk are skipped without reading; then the rules for kept entries
 * (control characters, empty and {@code .} segments, git-reserved names, lengths: {@link PathRules}); symlinks and
 * special files are rejected unless they lie in a left-out folder. Collisions (duplicate, Unicode,
 * case, file/folder: {@link PathClaims}), the root-only filters ({@code dist/}, {@code build/} …) and stripping a single
 * top-level folder are decided in {@link #finish()}, when every entry is known.
 *
 * <p>File contents go to numbered blobs under {@code work/blobs/} while they are read (so no entry
 * name touches the disk before all names are checked) and are moved into {@code work/tree/} by
 * {@link #finish()}; {@link EntryContentReader} reads them under the size limits. Not thread-safe.
 */
public final class TreeCollector implements AutoCloseable {
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");

    private enum Kind { FILE, DIR, SYMLINK, SPECIAL }

    private static final class Entry {
        final String raw;
        final String[] segments;
        final Kind kind;
        boolean executable;
        Path blob;
        byte[] env;
        long size;
        String path;

        Entry(String raw, String[] segments, Kind kind) {
            this.raw = raw;
            this.segments = segments;
            this.kind = kind;
        }
    }

    private final ImportLimits limits;
    private final boolean dry;
    private final String knownPrefix;
    private final Path workDir;
    private final Path blobDir;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Integer> skipped = new LinkedHashMap<>();
    private int entryCount;
    private int blobCount;
    /** Null in a dry run, which reads no content. */
    private final EntryContentReader content;
    private boolean finished;
    private boolean failed;
    private boolean closed;

    /** Creates the work folder with {@code Files.createTempDirectory(tempParent, "slipway-import-")}. */
    public TreeCollector(Path tempParent, ImportLimits limits) {
        this(tempParent, limits, null);
    }

    /**
     * @param knownPrefix the prefix {@link #finish()} will strip, when the caller already knows it from
     *                    a {@link #dryRun dry run} over the same entries; lets root-only left-out
     *                    folders be skipped without reading. Null when unknown.
     */
    TreeCollector(Path tempParent, ImportLimits limits, String knownPrefix) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.dry = false;
        this.knownPrefix = knownPrefix;
        this.content = new EntryContentReader(limits);
        Path work = null;
        try {
            work = Files.createTempDirectory(Objects.requireNonNull(tempParent, "tempParent"), "slipway-import-");
            this.blobDir = Files.createDirectory(work.resolve("blobs"));
            this.workDir = work;
        } catch (IOException e) {
            ImportTree.deleteTree(work);
            throw new UncheckedIOException("could not create the import work folder", e);
        }
    }

    private TreeCollector(ImportLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.dry = true;
        this.knownPrefix = null;
        this.content = null;
        this.workDir = null;
        this.blobDir = null;
    }

    /**
     * A collector that applies every name rule but reads no content and writes nothing; its
     * {@link #plan()} returns the prefix a real run over the same entries strips.
     */
    static TreeCollector dryRun(ImportLimits limits) {
        return new TreeCollector(limits);
    }

    /** Adds a regular file, reading {@code content} to its end (counting the bytes really read) unless the file is left out. */
    public void addFile(String rawPath, boolean executable, InputStream in) {
        guarded(() -> {
            Entry e = accept(rawPath, Kind.FILE);
            if (e == null) {
                return;
            }
            e.executable = executable;
            if (!dry) {
                Objects.requireNonNull(in, "content");
                if (PathRules.isEnvFile(e.segments[e.segments.length - 1])) {
                    e.env = content.envFile(in, rawPath);
                    e.size = e.env.length;
                } else {
                    e.blob = blobDir.resolve(Integer.toString(blobCount++));
                    e.size = content.toBlob(in, e.blob, rawPath);
                }
            }
            entries.add(e);
        });
    }

    /** Adds a folder (with or without a trailing '/'). Folders are not written: git keeps only files. */
    public void addDirectory(String rawPath) {
        guarded(() -> {
            Entry e = accept(rawPath, Kind.DIR);
            if (e != null) {
                entries.add(e);
            }
        });
    }

    /** Rejected with {@code ARCHIVE_SYMLINK}, unless it lies in a left-out folder (e.g. {@code node_modules/.bin}). */
    public void addSymlink(String rawPath) {
        guarded(() -> {
            Entry e = accept(rawPath, Kind.SYMLINK);
            if (e != null) {
                entries.add(e); // only when it may still turn out to be in a root-only left-out folder
            }
        });
    }

    /** A device, fifo or socket: rejected with {@code ARCHIVE_SPECIAL_FILE}, unless it lies in a left-out folder. */
    public void addSpecial(String rawPath) {
        guarded(() -> {
            Entry e = accept(rawPath, Kind.SPECIAL);
            if (e != null) {
                entries.add(e);
            }
        });
    }

    /** Applies the whole-tree rules and builds the tree. Ownership of the work folder passes to the result. */
    public ImportTree finish() {
        if (dry) {
            throw new IllegalStateException("a dry run has no tree; use plan()");
        }
        checkOpen();
        try {
            String prefix = knownPrefix != null ? knownPrefix : computePrefix();
            List<Entry> kept = resolve(prefix);
            ImportTree tree = build(kept, prefix);
            finished = true;
            return tree;
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        }
    }

    /** Dry run only: applies the whole-tree rules and returns the prefix a real run strips. */
    String plan() {
        if (!dry) {
            throw new IllegalStateException("not a dry run");
        }
        checkOpen();
        try {
            String prefix = computePrefix();
            resolve(prefix);
            finished = true;
            return prefix;
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        }
    }

    /** Deletes the work folder unless {@link #finish()} succeeded. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished && workDir != null) {
            ImportTree.deleteTree(workDir);
        }
    }

    private interface Step {
        void run();
    }

    private void guarded(Step step) {
        checkOpen();
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        }
    }

    private void checkOpen() {
        if (closed || finished || failed) {
            throw new IllegalStateException("the collector is " + (closed ? "closed" : finished ? "finished" : "failed"));
        }
    }

    /** The per-entry rules. Returns null when the entry is left out (and counts it in skipped). */
    private Entry accept(String raw, Kind kind) {
        Objects.requireNonNull(raw, "rawPath");
        if (++entryCount > limits.maxEntries()) {
            throw new DomainException(DomainError.ARCHIVE_TOO_MANY_ENTRIES,
                    "The archive has more than " + limits.maxEntries() + " entries");
        }
        PathRules.checkHostile(raw);
        String body = raw;
        if (raw.endsWith("/")) {
            if (kind == Kind.FILE) {
                throw PathRules.problem(DomainError.ARCHIVE_INVALID_PATH, "A file path ends with '/'", raw);
            }
            body = raw.substring(0, raw.length() - 1);
        }
        String[] segments = body.split("/", -1);
        boolean folder = kind == Kind.DIR;
        String label = PathRules.anywhereFilter(segments, folder);
        if (label != null) {
            skip(label);
            return null;
        }
        PathRules.checkKept(raw, segments, limits.maxPathChars());
        boolean mayBeLeftOut;
        if (knownPrefix != null) {
            label = PathRules.rootFilter(segments, strippedFrom(segments, knownPrefix), folder);
            if (label != null) {
                skip(label);
                return null;
            }
            mayBeLeftOut = false;
        } else {
            mayBeLeftOut = PathRules.rootFilter(segments, 0, folder) != null
                    || (segments.length > 1 && PathRules.rootFilter(segments, 1, folder) != null);
        }
        if (kind == Kind.SYMLINK && !mayBeLeftOut) {
            throw PathRules.problem(DomainError.ARCHIVE_SYMLINK, "The archive has a symbolic link", raw);
        }
        if (kind == Kind.SPECIAL && !mayBeLeftOut) {
            throw PathRules.problem(DomainError.ARCHIVE_SPECIAL_FILE, "The archive has a special file", raw);
        }
        return new Entry(raw, segments, kind);
    }

    private static int strippedFrom(String[] segments, String prefix) {
        return !prefix.isEmpty() && prefix.equals(segments[0] + "/") ? 1 : 0;
    }

    private void skip(String label) {
        skipped.merge(label, 1, Integer::sum);
    }

    /** A single top-level folder holding every non-folder entry, with its slash, or "". */
    private String computePrefix() {
        String first = null;
        for (Entry e : entries) {
            if (e.kind == Kind.DIR) {
                continue;
            }
            if (e.segments.length < 2) {
                return "";
            }
            if (first == null) {
                first = e.segments[0];
            } else if (!first.equals(e.segments[0])) {
                return "";
            }
        }
        return first == null ? "" : first + "/";
    }

    /** Strips, applies root-only filters, rejects what is left of symlinks/specials, checks collisions and emptiness. */
    private List<Entry> resolve(String prefix) {
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            int from = strippedFrom(e.segments, prefix);
            if (!prefix.isEmpty() && (from == 0 || e.segments.length == 1)) {
                // only folders can lie outside the stripped root (or be it): they hold no files
                if (e.kind != Kind.DIR) {
                    throw new IllegalStateException("a file lies outside the stripped prefix");
                }
                continue;
            }
            String label = PathRules.rootFilter(e.segments, from, e.kind == Kind.DIR);
            if (label != null) {
                skip(label);
                if (e.blob != null) {
                    deleteBlob(e);
                }
                continue;
            }
            if (e.kind == Kind.SYMLINK) {
                throw PathRules.problem(DomainError.ARCHIVE_SYMLINK, "The archive has a symbolic link", e.raw);
            }
            if (e.kind == Kind.SPECIAL) {
                throw PathRules.problem(DomainError.ARCHIVE_SPECIAL_FILE, "The archive has a special file", e.raw);
            }
            e.path = String.join("/", List.of(e.segments).subList(from, e.segments.length));
            kept.add(e);
        }
        PathClaims claims = new PathClaims();
        for (Entry e : kept) {
            claims.claim(e.segments, strippedFrom(e.segments, prefix), e.kind == Kind.FILE);
        }
        boolean anyFile = kept.stream().anyMatch(e -> e.kind == Kind.FILE
                && !PathRules.isEnvFile(e.segments[e.segments.length - 1]));
        if (!anyFile) {
            throw new DomainException(DomainError.ARCHIVE_EMPTY,
                    "The archive holds no files to import once left-out folders and .env files are set aside");
        }
        return kept;
    }

    private ImportTree build(List<Entry> kept, String prefix) {
        Path root = workDir.resolve("tree");
        List<Entry> files = new ArrayList<>();
        for (Entry e : kept) {
            if (e.kind == Kind.FILE) {
                files.add(e);
            }
        }
        files.sort(Comparator.comparing(e -> e.path));
        List<ImportFile> tree = new ArrayList<>();
        Map<String, byte[]> env = new TreeMap<>();
        try {
            Files.createDirectory(root);
            boolean posix = Files.getFileStore(root).supportsFileAttributeView("posix");
            for (Entry e : files) {
                if (e.env != null) {
                    env.put(e.path, e.env);
                    continue;
                }
                Path target = inside(root, e);
                Files.createDirectories(target.getParent());
                Files.move(e.blob, target, LinkOption.NOFOLLOW_LINKS);
                if (posix) {
                    Files.setPosixFilePermissions(target, e.executable ? EXECUTABLE : REGULAR);
                }
                tree.add(new ImportFile(e.path, e.size, e.executable));
            }
            ImportTree.deleteTree(blobDir);
        } catch (IOException ex) {
            throw new UncheckedIOException("could not build the import tree", ex);
        }
        return new ImportTree(workDir, root, tree, env, skippedSummary(), prefix, content.inflated());
    }

    private static Path inside(Path root, Entry e) {
        Path target;
        try {
            target = root.resolve(e.path);
        } catch (InvalidPathException ex) {
            throw PathRules.problem(DomainError.ARCHIVE_INVALID_PATH,
                    "Entry path cannot be stored on this server's file system", e.raw);
        }
        if (!target.normalize().startsWith(root) || target.equals(root)) {
            throw new IllegalStateException("entry path escaped the tree after all checks");
        }
        return target;
    }

    private void deleteBlob(Entry e) {
        try {
            Files.deleteIfExists(e.blob);
        } catch (IOException ex) {
            throw new UncheckedIOException("could not delete a left-out file", ex);
        }
        e.blob = null;
    }

    private List<String> skippedSummary() {
        List<String> out = new ArrayList<>();
        skipped.forEach((label, n) -> out.add(label.endsWith("/")
                ? label + " (" + n + (n == 1 ? " entry)" : " entries)")
                : label + " (" + n + ")"));
        return out;
    }
}
