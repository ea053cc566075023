package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A corpus of hostile zip archives, each with the problem type an import must answer with. Built
 * from plain bytes (JDK only) so every header field can lie: other modules' tests can reuse it
 * (e.g. to prove the HTTP layer answers each one with its 4xx problem).
 */
public final class HostileArchives {
    /** One hostile archive: its bytes, the problem it must cause, and the limits to import it with. */
    public record Case(String name, byte[] zip, DomainError expected, ImportLimits limits) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Limits small enough that bombs trip them in milliseconds. */
    public static final ImportLimits SMALL = new ImportLimits(100, 4L << 20, 1L << 20, 1024);

    public static final int MODE_FILE = 0100644;
    public static final int MODE_EXEC = 0100755;
    public static final int MODE_DIR = 0040755;
    public static final int MODE_SYMLINK = 0120777;
    public static final int MODE_FIFO = 0010644;
    public static final int MODE_CHAR_DEVICE = 0020644;
    public static final int MODE_SOCKET = 0140755;

    private HostileArchives() {
    }

    /** Every hostile case, in a stable order with unique names. */
    public static List<Case> all() {
        ImportLimits d = ImportLimits.DEFAULT;
        List<Case> cases = new ArrayList<>();

        // Paths: hostile anywhere
        cases.add(new Case("traversal-dotdot", single("../x", "evil"), DomainError.ARCHIVE_PATH_TRAVERSAL, d));
        cases.add(new Case("traversal-nested", single("a/../../x", "evil"), DomainError.ARCHIVE_PATH_TRAVERSAL, d));
        cases.add(new Case("traversal-inside-node_modules", zip(file("app/index.js", "ok"),
                file("node_modules/../../../etc/cron.d/x", "evil")), DomainError.ARCHIVE_PATH_TRAVERSAL, d));
        cases.add(new Case("absolute-root", single("/etc/passwd", "root:x:0:0"), DomainError.ARCHIVE_ABSOLUTE_PATH, d));
        cases.add(new Case("absolute-drive-slash", single("C:/x", "evil"), DomainError.ARCHIVE_ABSOLUTE_PATH, d));
        cases.add(new Case("absolute-drive-relative", single("C:x", "evil"), DomainError.ARCHIVE_ABSOLUTE_PATH, d));
        cases.add(new Case("absolute-unc", single("//server/share/x", "evil"), DomainError.ARCHIVE_ABSOLUTE_PATH, d));
        cases.add(new Case("backslash-traversal", single("a\\..\\x", "evil"), DomainError.ARCHIVE_BACKSLASH_PATH, d));

        // Paths: rules for kept entries
        cases.add(new Case("nul-in-name", single("a\u0000b.txt", "x"), DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("control-char-in-name", single("a\nb.txt", "x"), DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("dot-segment", single("a/./b.txt", "x"), DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("empty-segment", single("a//b.txt", "x"), DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("git-file", zip(file("app/index.js", "ok"), file("app/.git", "gitdir: /etc")),
                DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("git-uppercase-folder", zip(file("index.js", "ok"), file(".GIT/hooks/post-checkout", "#!/bin/sh")),
                DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("git-hfs-ignorable", zip(file("index.js", "ok"), file(".g\u200cit/config", "[core]")),
                DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("git-ntfs-short-name", zip(file("index.js", "ok"), file("GIT~1/config", "[core]")),
                DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("invalid-utf8-flagged", zip(new Entry(new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b'},
                0x800, 0, bytes("x"), MODE_FILE)), DomainError.ARCHIVE_INVALID_PATH, d));
        cases.add(new Case("path-4096-chars", single(longPath(4096), "x"), DomainError.ARCHIVE_PATH_TOO_LONG, d));
        cases.add(new Case("segment-300-bytes", single("src/" + "\u00e9".repeat(150) + ".js", "x"),
                DomainError.ARCHIVE_PATH_TOO_LONG, d));

        // Entry types
        cases.add(new Case("symlink", zip(file("index.js", "ok"), entry("passwd", "/etc/passwd", MODE_SYMLINK)),
                DomainError.ARCHIVE_SYMLINK, d));
        cases.add(new Case("symlink-dir-escape", zip(file("index.js", "ok"), entry("src/up", "../../..", MODE_SYMLINK)),
                DomainError.ARCHIVE_SYMLINK, d));
        cases.add(new Case("fifo", zip(file("index.js", "ok"), entry("pipe", "", MODE_FIFO)), DomainError.ARCHIVE_SPECIAL_FILE, d));
        cases.add(new Case("char-device", zip(file("index.js", "ok"), entry("dev/zero", "", MODE_CHAR_DEVICE)),
                DomainError.ARCHIVE_SPECIAL_FILE, d));
        cases.add(new Case("socket", zip(file("index.js", "ok"), entry("sock", "", MODE_SOCKET)), DomainError.ARCHIVE_SPECIAL_FILE, d));

        // Collisions
        cases.add(new Case("duplicate-path", zip(file("a.txt", "one"), file("a.txt", "two")), DomainError.ARCHIVE_DUPLICATE_PATH, d));
        cases.add(new Case("case-collision", zip(file("README.md", "one"), file("readme.md", "two")),
                DomainError.ARCHIVE_CASE_COLLISION, d));
        cases.add(new Case("case-collision-folders", zip(file("Src/a.js", "one"), file("src/b.js", "two")),
                DomainError.ARCHIVE_CASE_COLLISION, d));
        cases.add(new Case("nfc-nfd-collision", zip(file("caf\u00e9.txt", "nfc"), file("cafe\u0301.txt", "nfd")),
                DomainError.ARCHIVE_UNICODE_COLLISION, d));
        cases.add(new Case("file-then-folder", zip(file("a", "file"), file("a/b", "nested")),
                DomainError.ARCHIVE_FILE_DIRECTORY_CONFLICT, d));
        cases.add(new Case("folder-entry-then-file", zip(dir("a/"), file("b.txt", "x"), entry("a", "file", MODE_FILE)),
                DomainError.ARCHIVE_FILE_DIRECTORY_CONFLICT, d));

        // Counts and sizes (small limits)
        cases.add(new Case("too-many-entries", manyEntries(SMALL.maxEntries() + 1, false), DomainError.ARCHIVE_TOO_MANY_ENTRIES, SMALL));
        cases.add(new Case("entry-count-lie", manyEntries(SMALL.maxEntries() + 1, true), DomainError.ARCHIVE_TOO_MANY_ENTRIES, SMALL));
        cases.add(new Case("total-size-bomb", totalBomb(), DomainError.ARCHIVE_TOO_LARGE, SMALL));
        cases.add(new Case("file-too-large", zip(zeros("big.bin", 4 << 20)), DomainError.ARCHIVE_FILE_TOO_LARGE, SMALL));
        cases.add(new Case("env-file-too-large", zip(file("index.js", "ok"), zeros(".env", (1 << 20) + 1)),
                DomainError.ARCHIVE_FILE_TOO_LARGE, new ImportLimits(100, 64L << 20, 16L << 20, 1024)));
        cases.add(new Case("declared-size-lie-bomb", sizeLie(4 << 20), DomainError.ARCHIVE_FILE_TOO_LARGE, SMALL));
        cases.add(new Case("declared-size-lie", sizeLie(1000), DomainError.ARCHIVE_CORRUPT, SMALL));
        cases.add(new Case("overlap-shared-local-header", overlapSharedHeader(), DomainError.ARCHIVE_OVERLAPPING_ENTRIES, SMALL));
        cases.add(new Case("overlap-quoted-header", overlapQuoted(), DomainError.ARCHIVE_OVERLAPPING_ENTRIES, SMALL));

        // Structure
        cases.add(new Case("truncated", Arrays.copyOf(validApp(), validApp().length / 2), DomainError.ARCHIVE_CORRUPT, d));
        cases.add(new Case("crc-mismatch", crcFlip(), DomainError.ARCHIVE_CORRUPT, d));
        cases.add(new Case("deflate-garbage", deflateGarbage(), DomainError.ARCHIVE_CORRUPT, d));
        cases.add(new Case("local-name-mismatch", localNameMismatch(), DomainError.ARCHIVE_CORRUPT, d));
        cases.add(new Case("central-offset-outside", offsetOutside(), DomainError.ARCHIVE_CORRUPT, d));
        cases.add(new Case("not-zip-png", png(), DomainError.ARCHIVE_NOT_ZIP, d));
        cases.add(new Case("not-zip-text", bytes("This is not a zip file, just some text.\n".repeat(20)), DomainError.ARCHIVE_NOT_ZIP, d));
        cases.add(new Case("not-zip-zero-bytes", new byte[0], DomainError.ARCHIVE_NOT_ZIP, d));
        cases.add(new Case("empty-zip", zip(), DomainError.ARCHIVE_EMPTY, d));
        cases.add(new Case("only-junk", zip(dir("__MACOSX/"), file("__MACOSX/._index.js", "apple"), dir("node_modules/"),
                file("node_modules/react/index.js", "x"), file(".DS_Store", "junk"), file("Thumbs.db", "junk")),
                DomainError.ARCHIVE_EMPTY, d));
        cases.add(new Case("only-build-output-and-env", zip(file("app/dist/index.html", "<html>"), file("app/.env", "K=v"),
                file("app/node_modules/x.js", "x")), DomainError.ARCHIVE_EMPTY, d));
        cases.add(new Case("encrypted", zip(new Entry(bytes("secret.txt"), 0x1, ZIP_DEFLATED, bytes("\u0001\u0002garbage-ciphertext"),
                MODE_FILE)), DomainError.ARCHIVE_ENCRYPTED, d));
        cases.add(new Case("aes-encrypted-method-99", zip(new Entry(bytes("secret.txt"), 0x1, 99, bytes("ciphertext"),
                MODE_FILE)), DomainError.ARCHIVE_ENCRYPTED, d));
        cases.add(new Case("unsupported-bzip2", zip(file("index.js", "ok"), new Entry(bytes("a.txt"), 0, 12, bytes("BZh91AY&SY"),
                MODE_FILE)), DomainError.ARCHIVE_UNSUPPORTED_COMPRESSION, d));
        cases.add(new Case("unsupported-method-99", zip(new Entry(bytes("a.txt"), 0, 99, bytes("data"), MODE_FILE)),
                DomainError.ARCHIVE_UNSUPPORTED_COMPRESSION, d));
        return cases;
    }

    /** A few valid archives (name → bytes): seeds for fuzzing and mutation tests. */
    public static Map<String, byte[]> valid() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("valid-vite-app", validApp());
        m.put("valid-two-top-folders", zip(file("web/index.html", "<html>"), file("api/main.py", "print(1)")));
        m.put("valid-stored-and-dirs", zip(dir("src/"), stored("src/a.txt", "stored content"), file("README.md", "# hi")));
        m.put("valid-single-file", zip(file("index.html", "<!doctype html><title>x</title>")));
        return m;
    }

    /**
     * A Vite-like app as Bolt exports it: everything under {@code project/}, with node_modules,
     * dist, .git, OS junk, .env files and an executable script.
     */
    public static byte[] validApp() {
        return zip(
                dir("project/"),
                file("project/package.json", "{\"name\":\"demo\",\"scripts\":{\"build\":\"vite build\"}}"),
                file("project/index.html", "<!doctype html><div id=root></div><script type=module src=/src/main.tsx></script>"),
                dir("project/src/"),
                file("project/src/main.tsx", "import App from './App';\nconsole.log(App);\n"),
                file("project/src/App.tsx", "export default function App() { return null; }\n"),
                new Entry(bytes("project/public/favicon.bin"), 0x800, ZIP_STORED, binaryContent(), MODE_FILE),
                entry("project/scripts/deploy.sh", "#!/bin/sh\necho deploy\n", MODE_EXEC),
                file("project/.env", "VITE_SUPABASE_KEY=secret-value\n"),
                file("project/.env.local", "STRIPE_SECRET=sk_test_123\n"),
                file("project/.env.example", "VITE_SUPABASE_KEY=\n"),
                dir("project/node_modules/"),
                file("project/node_modules/react/index.js", "module.exports = {};\n"),
                entry("project/node_modules/.bin/vite", "../vite/bin/vite.js", MODE_SYMLINK),
                dir("project/dist/"),
                file("project/dist/index.html", "<html>built</html>"),
                file("project/dist/assets/index.js", "console.log(1)"),
                file("project/.git/HEAD", "ref: refs/heads/main\n"),
                file("project/.DS_Store", "junk"),
                file("project/src/.DS_Store", "junk"),
                dir("__MACOSX/"),
                file("__MACOSX/project/._package.json", "appledouble"));
    }

    /** Writes every case and valid archive as {@code <name>.zip} into a folder (a fuzzing seed corpus). */
    public static void writeCorpus(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> v : valid().entrySet()) {
            Files.write(dir.resolve(v.getKey() + ".zip"), v.getValue());
        }
        for (Case c : all()) {
            Files.write(dir.resolve(c.name() + ".zip"), c.zip());
        }
    }

    public static void main(String[] args) throws IOException {
        writeCorpus(Path.of(args[0]));
    }

    // ---------------------------------------------------------------- builders

    public static final int ZIP_STORED = 0;
    public static final int ZIP_DEFLATED = 8;

    /**
     * One entry as written: the name bytes, general purpose flags, method, the data exactly as it
     * is stored (already compressed), the unix mode, and the header fields that may lie.
     */
    public static final class Entry {
        byte[] name;
        byte[] localName;
        int flags;
        int method;
        byte[] data;
        int mode;
        long crc;
        long size;
        int madeBy = (3 << 8) | 30; // unix, zip 3.0

        public Entry(byte[] name, int flags, int method, byte[] data, int mode) {
            this.name = name;
            this.localName = name;
            this.flags = flags;
            this.method = method;
            this.data = data;
            this.mode = mode;
            this.crc = crc(data);
            this.size = data.length;
        }

        /** Declares the uncompressed content (CRC and size) behind already-compressed data. */
        Entry content(byte[] plain) {
            this.crc = crc(plain);
            this.size = plain.length;
            return this;
        }
    }

    public static Entry file(String name, String content) {
        return entry(name, content, MODE_FILE);
    }

    public static Entry entry(String name, String content, int mode) {
        byte[] plain = bytes(content);
        return new Entry(bytes(name), utf8Flag(name), ZIP_DEFLATED, deflate(plain), mode).content(plain);
    }

    public static Entry stored(String name, String content) {
        return new Entry(bytes(name), utf8Flag(name), ZIP_STORED, bytes(content), MODE_FILE);
    }

    public static Entry dir(String name) {
        return new Entry(bytes(name), utf8Flag(name), ZIP_STORED, new byte[0], MODE_DIR);
    }

    static Entry zeros(String name, int size) {
        byte[] plain = new byte[size];
        return new Entry(bytes(name), 0, ZIP_DEFLATED, deflate(plain), MODE_FILE).content(plain);
    }

    /** A zip whose central directory lists the entries in order, each after its own local header. */
    public static byte[] zip(Entry... entries) {
        Writer w = new Writer();
        for (Entry e : entries) {
            long offset = w.local(e);
            w.central(e, offset);
        }
        return w.finish(-1);
    }

    private static byte[] single(String name, String content) {
        return zip(file(name, content));
    }

    private static int utf8Flag(String name) {
        return name.chars().allMatch(c -> c < 0x80) ? 0 : 0x800;
    }

    /** Plain-bytes zip writer: local headers and data first, then the central directory, then the end record. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream cd = new ByteArrayOutputStream();
        private int count;

        long local(Entry e) {
            long offset = out.size();
            ByteBuffer b = le(30);
            b.putInt(0x04034b50).putShort((short) 20).putShort((short) e.flags).putShort((short) e.method)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) e.crc).putInt(e.data.length)
                    .putInt((int) e.size).putShort((short) e.localName.length).putShort((short) 0);
            out.writeBytes(b.array());
            out.writeBytes(e.localName);
            out.writeBytes(e.data);
            return offset;
        }

        void central(Entry e, long offset) {
            central(e, offset, e.data.length);
        }

        void central(Entry e, long offset, long compressedSize) {
            ByteBuffer b = le(46);
            b.putInt(0x02014b50).putShort((short) e.madeBy).putShort((short) 20).putShort((short) e.flags)
                    .putShort((short) e.method).putShort((short) 0).putShort((short) 0x21).putInt((int) e.crc)
                    .putInt((int) compressedSize).putInt((int) e.size).putShort((short) e.name.length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putInt(e.mode << 16).putInt((int) offset);
            cd.writeBytes(b.array());
            cd.writeBytes(e.name);
            count++;
        }

        int size() {
            return out.size();
        }

        /** @param declaredCount the entry count the end record claims, or -1 for the real one */
        byte[] finish(int declaredCount) {
            long cdOffset = out.size();
            int n = declaredCount < 0 ? count : declaredCount;
            ByteBuffer b = le(22);
            b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) n).putShort((short) n)
                    .putInt(cd.size()).putInt((int) cdOffset).putShort((short) 0);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(out.toByteArray());
            all.writeBytes(cd.toByteArray());
            all.writeBytes(b.array());
            return all.toByteArray();
        }
    }

    // ---------------------------------------------------------------- crafted cases

    private static byte[] manyEntries(int n, boolean lieInEndRecord) {
        Writer w = new Writer();
        for (int i = 0; i < n; i++) {
            Entry e = file("f/" + i + ".txt", "x");
            w.central(e, w.local(e));
        }
        return w.finish(lieInEndRecord ? 1 : -1);
    }

    /** Ten files of 1 MiB zeros (1 KiB each compressed): each under the file limit, together over the total. */
    private static byte[] totalBomb() {
        Entry[] entries = new Entry[10];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = zeros("bomb/" + i + ".bin", 1 << 20);
        }
        return zip(entries);
    }

    /** The central and local headers say 10 bytes; the deflate stream inflates to {@code real} bytes. */
    private static byte[] sizeLie(int real) {
        byte[] plain = new byte[real];
        Entry e = new Entry(bytes("lie.bin"), 0, ZIP_DEFLATED, deflate(plain), MODE_FILE);
        e.size = 10;
        e.crc = crc(new byte[10]);
        return zip(file("index.js", "ok"), e);
    }

    /** David Fifield's overlap: many central directory entries share one local header and its kernel. */
    private static byte[] overlapSharedHeader() {
        byte[] plain = new byte[1 << 20];
        Entry kernel = new Entry(bytes("0"), 0, ZIP_DEFLATED, deflate(plain), MODE_FILE).content(plain);
        Writer w = new Writer();
        long offset = w.local(kernel);
        for (int i = 0; i < 20; i++) {
            Entry alias = new Entry(bytes(Integer.toString(i)), 0, ZIP_DEFLATED, kernel.data, MODE_FILE).content(plain);
            w.central(alias, offset);
        }
        return w.finish(-1);
    }

    /** The "quoted" overlap: the first entry's compressed data runs over the second entry's local header. */
    private static byte[] overlapQuoted() {
        Entry a = stored("a.txt", "aaaa");
        Entry b = stored("b.txt", "bbbb");
        Writer w = new Writer();
        long offA = w.local(a);
        long offB = w.local(b);
        long spanned = w.size() - (offA + 30 + a.name.length);
        w.central(a, offA, spanned);
        w.central(b, offB);
        return w.finish(-1);
    }

    /** A stored entry whose content has one byte flipped after the CRC was computed. */
    private static byte[] crcFlip() {
        Entry e = stored("data.txt", "the quick brown fox jumps over the lazy dog");
        e.data = e.data.clone();
        e.data[5] ^= 0x20;
        return zip(file("index.js", "ok"), e);
    }

    /** A deflated entry whose compressed bytes are not a valid deflate stream. */
    private static byte[] deflateGarbage() {
        byte[] plain = bytes("hello hello hello hello hello hello hello hello");
        Entry e = new Entry(bytes("data.txt"), 0, ZIP_DEFLATED, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00, 0x13, 0x37},
                MODE_FILE).content(plain);
        return zip(file("index.js", "ok"), e);
    }

    /** The central directory says {@code notes.txt}; the local header says {@code ../../evil.sh}. */
    private static byte[] localNameMismatch() {
        Entry e = file("notes.txt", "#!/bin/sh\nrm -rf /\n");
        e.localName = bytes("../../evil.sh");
        return zip(file("index.js", "ok"), e);
    }

    /** A central directory entry whose local header offset points past the end of the file. */
    private static byte[] offsetOutside() {
        Entry a = file("index.js", "ok");
        Writer w = new Writer();
        w.central(a, w.local(a));
        w.central(file("ghost.js", "boo"), 1 << 30);
        return w.finish(-1);
    }

    private static byte[] png() {
        byte[] header = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        byte[] png = Arrays.copyOf(header, 256);
        for (int i = header.length; i < png.length; i++) {
            png[i] = (byte) (i * 31);
        }
        return png;
    }

    private static String longPath(int chars) {
        StringBuilder b = new StringBuilder();
        while (b.length() + 101 < chars - 10) {
            b.append("a".repeat(100)).append('/');
        }
        b.append("x".repeat(chars - b.length()));
        return b.toString();
    }

    static byte[] binaryContent() {
        byte[] b = new byte[3000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + (i >> 3));
        }
        return b;
    }

    static byte[] deflate(byte[] plain) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(plain);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static long crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
