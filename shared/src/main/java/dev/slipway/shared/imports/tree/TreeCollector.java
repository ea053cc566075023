package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
 * (control characters, empty and {@code .} segments, git-reserved names, lengths); symlinks and
 * special files are rejected unless they lie in a left-out folder. Collisions (duplicate, Unicode,
 * case, file/folder), the root-only filters ({@code dist/}, {@code build/} …) and stripping a single
 * top-level folder are decided in {@link #finish()}, when every entry is known.
 *
 * <p>File contents go to numbered blobs under {@code work/blobs/} while they are read (so no entry
 * name touches the disk before all names are checked) and are moved into {@code work/tree/} by
 * {@link #finish()}. Not thread-safe.
 */
public final class TreeCollector implements AutoCloseable {
    /** Cap for one {@code .env*} file taken out of the tree (they are held in memory). */
    static final long MAX_ENV_FILE_BYTES = 1L << 20;
    /** Cap for all {@code .env*} files together. */
    static final long MAX_ENV_TOTAL_BYTES = 8L << 20;
    private static final int BUFFER_BYTES = 64 * 1024;
    /** One copy buffer per collector (a collector serves one import on one thread): 2,000 files
     *  would otherwise allocate 128 MB of buffers. */
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private static final int MAX_EMPTY_READS = 1000;
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
    private long inflated;
    private long envBytes;
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
    public void addFile(String rawPath, boolean executable, InputStream content) {
        guarded(() -> {
            Entry e = accept(rawPath, Kind.FILE);
            if (e == null) {
                return;
            }
            e.executable = executable;
            if (!dry) {
                Objects.requireNonNull(content, "content");
                if (PathRules.isEnvFile(e.segments[e.segments.length - 1])) {
                    e.env = readEnv(content, rawPath);
                    e.size = e.env.length;
                } else {
                    e.blob = writeBlob(content, rawPath, e);
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

    private Path writeBlob(InputStream in, String raw, Entry e) {
        Path blob = blobDir.resolve(Integer.toString(blobCount++));
        e.blob = blob;
        try (OutputStream out = Files.newOutputStream(blob, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            e.size = copy(in, out, limits.maxFileBytes(), raw);
        } catch (IOException ex) {
            throw new UncheckedIOException("could not write to the import work folder", ex);
        }
        return blob;
    }

    private byte[] readEnv(InputStream in, String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long size;
        try {
            size = copy(in, out, Math.min(MAX_ENV_FILE_BYTES, limits.maxFileBytes()), raw);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not throw
        }
        envBytes += size;
        if (envBytes > MAX_ENV_TOTAL_BYTES) {
            throw new DomainException(DomainError.ARCHIVE_TOO_LARGE,
                    "The .env files together are larger than " + MAX_ENV_TOTAL_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    /**
     * Copies counting the bytes really read and stops as soon as a limit is crossed. Read errors are
     * the source's fault (ARCHIVE_CORRUPT); write errors are ours (IOException).
     */
    private long copy(InputStream in, OutputStream out, long fileLimit, String raw) throws IOException {
        long size = 0;
        int emptyReads = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException ex) {
                throw PathRules.problem(DomainError.ARCHIVE_CORRUPT, "Could not read entry", raw);
            }
            if (n < 0) {
                return size;
            }
            if (n == 0) {
                if (++emptyReads > MAX_EMPTY_READS) {
                    throw PathRules.problem(DomainError.ARCHIVE_CORRUPT, "Entry data does not progress", raw);
                }
                continue;
            }
            size += n;
            inflated += n;
            if (size > fileLimit) {
                throw PathRules.problem(DomainError.ARCHIVE_FILE_TOO_LARGE,
                        "A file inflates to more than " + fileLimit + " bytes", raw);
            }
            if (inflated > limits.maxTotalBytes()) {
                throw new DomainException(DomainError.ARCHIVE_TOO_LARGE,
                        "The archive inflates to more than " + limits.maxTotalBytes() + " bytes");
            }
            out.write(buffer, 0, n);
        }
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
        Node root = new Node();
        for (Entry e : kept) {
            claim(root, e, strippedFrom(e.segments, prefix));
        }
        boolean anyFile = kept.stream().anyMatch(e -> e.kind == Kind.FILE
                && !PathRules.isEnvFile(e.segments[e.segments.length - 1]));
        if (!anyFile) {
            throw new DomainException(DomainError.ARCHIVE_EMPTY,
                    "The archive holds no files to import once left-out folders and .env files are set aside");
        }
        return kept;
    }

    private static final class Node {
        Map<String, Node> children;
        Map<String, String> folded;
        boolean file;
    }

    /**
     * Walks the entry's segments through a trie of names. Sibling names are compared exactly, then
     * after NFC (Unicode collision), then after NFC + lower case (case collision); the first level
     * where two paths differ decides which problem is reported. Linear in the path length.
     */
    private static void claim(Node root, Entry e, int from) {
        Node node = root;
        boolean isFile = e.kind == Kind.FILE;
        for (int i = from; i < e.segments.length; i++) {
            String s = e.segments[i];
            boolean last = i == e.segments.length - 1;
            if (node.children == null) {
                node.children = new HashMap<>();
                node.folded = new HashMap<>();
            }
            Node child = node.children.get(s);
            if (child == null) {
                String key = PathRules.foldKey(s);
                String other = node.folded.putIfAbsent(key, s);
                if (other != null) {
                    String mine = joined(e.segments, from, i, s);
                    String theirs = joined(e.segments, from, i, other);
                    boolean sameNfc = Normalizer.normalize(other, Normalizer.Form.NFC)
                            .equals(Normalizer.normalize(s, Normalizer.Form.NFC));
                    throw new DomainException(sameNfc ? DomainError.ARCHIVE_UNICODE_COLLISION : DomainError.ARCHIVE_CASE_COLLISION,
                            (sameNfc ? "Two entries are the same path after Unicode normalisation (NFC): "
                                    : "Two entries differ only in letter case: ")
                                    + PathRules.show(theirs) + " and " + PathRules.show(mine)
                                    + (sameNfc ? ", which differ only in how their characters are composed" : ""));
                }
                child = new Node();
                child.file = last && isFile;
                node.children.put(s, child);
            } else if (last && isFile && child.file) {
                throw PathRules.problem(DomainError.ARCHIVE_DUPLICATE_PATH, "Two entries have the same path",
                        joined(e.segments, from, i, s));
            } else if (child.file || (last && isFile)) {
                throw PathRules.problem(DomainError.ARCHIVE_FILE_DIRECTORY_CONFLICT, "A path is both a file and a folder",
                        joined(e.segments, from, i, s));
            }
            node = child;
        }
    }

    private static String joined(String[] segments, int from, int upTo, String lastName) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < upTo; i++) {
            b.append(segments[i]).append('/');
        }
        return b.append(lastName).toString();
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
        return new ImportTree(workDir, root, tree, env, skippedSummary(), prefix, inflated);
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
