package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.apache.commons.compress.archivers.zip.GeneralPurposeBit;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Safe extraction of a zip archive into an {@link ImportTree}.
 *
 * <p>Steps, each bounded by the archive's size or the limits, in the order their problems win:
 * <ol>
 *   <li>find the end-of-central-directory record ourselves: none and no zip signature at the start →
 *       {@code ARCHIVE_NOT_ZIP}; none but a zip signature → {@code ARCHIVE_CORRUPT} (truncated); its
 *       entry count over the limit → {@code ARCHIVE_TOO_MANY_ENTRIES} before anything else is read;</li>
 *   <li>read the central directory with commons-compress (Unicode extra fields ignored: the name is
 *       the central directory's bytes, one source of truth); failures → {@code ARCHIVE_CORRUPT};
 *       real entry count over the limit → {@code ARCHIVE_TOO_MANY_ENTRIES};</li>
 *   <li>read every local header ourselves: bad signature or data outside the file →
 *       {@code ARCHIVE_CORRUPT}; sorted by offset, an entry whose {@code [header, data end)} reaches
 *       into the next header → {@code ARCHIVE_OVERLAPPING_ENTRIES} (the "better zip bomb"); a local
 *       name that differs from the central directory's → {@code ARCHIVE_CORRUPT} (the archive's own
 *       structure disagrees with itself, whichever name is the hostile one);</li>
 *   <li>decode names (UTF-8 flag set but bytes not UTF-8 → {@code ARCHIVE_INVALID_PATH}; no flag:
 *       UTF-8 when valid, else CP437 as the spec says), type them by unix mode (symlink, special,
 *       folder, file, owner-exec bit), and run every name rule in a dry {@link TreeCollector}: all
 *       path, collision and emptiness problems come before a single byte is inflated;</li>
 *   <li>inflate the kept entries in file order through a {@link TreeCollector}: encrypted →
 *       {@code ARCHIVE_ENCRYPTED}; method other than stored/deflated/deflate64 →
 *       {@code ARCHIVE_UNSUPPORTED_COMPRESSION}; bytes counted as inflated (declared sizes are not
 *       trusted) against the limits; inflater errors, or a size or CRC-32 other than declared →
 *       {@code ARCHIVE_CORRUPT}.</li>
 * </ol>
 */
public final class ZipImport {
    private static final int LFH_SIG = 0x04034b50;
    private static final int CFH_SIG = 0x02014b50;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int DD_SIG = 0x08074b50;
    private static final int SPANNED_SIG = 0x30304b50;
    private static final int EOCD_BYTES = 22;
    private static final int LFH_BYTES = 30;

    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int UNIX_HOST = 3;
    private static final int OSX_HOST = 19;

    private enum Kind { FILE, DIR, SYMLINK, SPECIAL }

    private static final class Item {
        final ZipArchiveEntry entry;
        long headerOffset;
        long dataEnd;
        int localFlags;
        int localMethod;
        byte[] localName;
        String name;
        Kind kind;
        boolean executable;

        Item(ZipArchiveEntry entry) {
            this.entry = entry;
        }
    }

    private ZipImport() {
    }

    /** Extracts a zip file safely. On any failure throws DomainException and leaves nothing in tempParent. */
    public static ImportTree extract(Path zipFile, Path tempParent, ImportLimits limits) {
        Objects.requireNonNull(zipFile, "zipFile");
        Objects.requireNonNull(tempParent, "tempParent");
        Objects.requireNonNull(limits, "limits");
        // Two read-only channels, both closed here whatever happens: ours for the headers we check
        // ourselves, and one lent to commons-compress (which leaks a channel it opened itself when
        // the central directory cannot be read).
        FileChannel channel = null;
        FileChannel zipChannel = null;
        ZipFile zip = null;
        try {
            channel = FileChannel.open(zipFile, StandardOpenOption.READ);
            long size = channel.size();
            findEndOfCentralDirectory(channel, size, limits);
            zipChannel = FileChannel.open(zipFile, StandardOpenOption.READ);
            zip = openCentralDirectory(zipChannel);
            List<Item> items = inspect(zip, channel, size, limits);
            String prefix = plan(items, limits);
            return inflate(zip, items, tempParent, limits, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the zip file", e);
        } finally {
            ZipFile.closeQuietly(zip);
            closeQuietly(zipChannel);
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }

    private static void findEndOfCentralDirectory(FileChannel ch, long size, ImportLimits limits) throws IOException {
        int tailLength = (int) Math.min(size, EOCD_BYTES + 0xFFFF);
        ByteBuffer tail = read(ch, size - tailLength, tailLength);
        int found = -1;
        for (int i = tailLength - EOCD_BYTES; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG) {
                found = i;
                break;
            }
        }
        if (found < 0) {
            int head = size >= 4 ? read(ch, 0, 4).getInt(0) : 0;
            if (head == LFH_SIG || head == CFH_SIG || head == DD_SIG || head == SPANNED_SIG) {
                throw new DomainException(DomainError.ARCHIVE_CORRUPT,
                        "The zip archive is truncated: it has no end of central directory record");
            }
            throw new DomainException(DomainError.ARCHIVE_NOT_ZIP, "The body is not a zip archive");
        }
        int total = tail.getShort(found + 10) & 0xFFFF;
        if (total != 0xFFFF && total > limits.maxEntries()) {
            throw tooMany(limits);
        }
    }

    private static ZipFile openCentralDirectory(FileChannel zipChannel) {
        try {
            return ZipFile.builder()
                    .setSeekableByteChannel(zipChannel)
                    .setCharset(StandardCharsets.UTF_8)
                    .setUseUnicodeExtraFields(false)
                    .setIgnoreLocalFileHeader(true)
                    .get();
        } catch (IOException | RuntimeException e) {
            throw new DomainException(DomainError.ARCHIVE_CORRUPT, "The zip archive's central directory cannot be read");
        }
    }

    private static List<Item> inspect(ZipFile zip, FileChannel ch, long size, ImportLimits limits) throws IOException {
        List<ZipArchiveEntry> entries;
        try {
            entries = Collections.list(zip.getEntries());
        } catch (RuntimeException e) {
            throw new DomainException(DomainError.ARCHIVE_CORRUPT, "The zip archive's central directory cannot be read");
        }
        if (entries.size() > limits.maxEntries()) {
            throw tooMany(limits);
        }
        List<Item> items = new ArrayList<>(entries.size());
        for (ZipArchiveEntry e : entries) {
            Item it = new Item(e);
            readLocalHeader(ch, size, it);
            items.add(it);
        }
        List<Item> physical = new ArrayList<>(items);
        physical.sort(Comparator.comparingLong((Item it) -> it.headerOffset).thenComparingLong(it -> it.dataEnd));
        for (int i = 0; i + 1 < physical.size(); i++) {
            if (physical.get(i).dataEnd > physical.get(i + 1).headerOffset) {
                throw new DomainException(DomainError.ARCHIVE_OVERLAPPING_ENTRIES,
                        "Entries " + PathRules.show(lossy(physical.get(i).entry.getRawName())) + " and "
                                + PathRules.show(lossy(physical.get(i + 1).entry.getRawName()))
                                + " share compressed data");
            }
        }
        for (Item it : items) {
            if (!Arrays.equals(it.localName, it.entry.getRawName())) {
                throw new DomainException(DomainError.ARCHIVE_CORRUPT,
                        "The local header of entry " + PathRules.show(lossy(it.entry.getRawName()))
                                + " names a different path than the central directory");
            }
            it.name = decodeName(it.entry);
            classify(it);
        }
        return items;
    }

    private static void readLocalHeader(FileChannel ch, long size, Item it) throws IOException {
        ZipArchiveEntry e = it.entry;
        long offset = e.getLocalHeaderOffset();
        if (offset < 0 || offset > size - LFH_BYTES) {
            throw corruptEntry(e, "points outside the file");
        }
        ByteBuffer header = read(ch, offset, LFH_BYTES);
        if (header.getInt(0) != LFH_SIG) {
            throw corruptEntry(e, "has no local header where the central directory says");
        }
        it.headerOffset = offset;
        it.localFlags = header.getShort(6) & 0xFFFF;
        it.localMethod = header.getShort(8) & 0xFFFF;
        int nameLength = header.getShort(26) & 0xFFFF;
        int extraLength = header.getShort(28) & 0xFFFF;
        long dataStart = offset + LFH_BYTES + nameLength + extraLength;
        long compressed = e.getCompressedSize();
        if (dataStart > size || compressed < 0 || compressed > size - dataStart) {
            throw corruptEntry(e, "has data beyond the end of the file");
        }
        it.dataEnd = dataStart + compressed;
        ByteBuffer name = read(ch, offset + LFH_BYTES, nameLength);
        it.localName = Arrays.copyOf(name.array(), nameLength);
    }

    private static String decodeName(ZipArchiveEntry e) {
        byte[] raw = e.getRawName();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException notUtf8) {
            if (e.getGeneralPurposeBit().usesUTF8ForNames()) {
                throw new DomainException(DomainError.ARCHIVE_INVALID_PATH,
                        "Entry name is not valid UTF-8 although the archive says it is: " + PathRules.show(lossy(raw)));
            }
        }
        try {
            CharBuffer chars = Charset.forName("IBM437").newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
            return chars.toString();
        } catch (CharacterCodingException | RuntimeException e2) {
            throw new DomainException(DomainError.ARCHIVE_INVALID_PATH,
                    "Entry name is neither UTF-8 nor CP437: " + PathRules.show(lossy(raw)));
        }
    }

    /** Types an entry by its unix mode (when the archive was made on unix) and its name. */
    private static void classify(Item it) {
        ZipArchiveEntry e = it.entry;
        int host = e.getPlatform();
        int mode = host == UNIX_HOST || host == OSX_HOST ? (int) ((e.getExternalAttributes() >> 16) & 0xFFFF) : 0;
        int type = mode & S_IFMT;
        if (type == S_IFLNK) {
            it.kind = Kind.SYMLINK;
        } else if (type != 0 && type != S_IFREG && type != S_IFDIR) {
            it.kind = Kind.SPECIAL; // char/block device, fifo, socket, or a type no file system has
        } else if (type == S_IFDIR || it.name.endsWith("/")) {
            it.kind = Kind.DIR;
        } else {
            it.kind = Kind.FILE;
            it.executable = (mode & 0100) != 0;
        }
    }

    /** Runs every name rule without reading content; returns the prefix the real run strips. */
    private static String plan(List<Item> items, ImportLimits limits) {
        TreeCollector dry = TreeCollector.dryRun(limits);
        for (Item it : items) {
            add(dry, it, null);
        }
        return dry.plan();
    }

    private static ImportTree inflate(ZipFile zip, List<Item> items, Path tempParent, ImportLimits limits, String prefix) {
        List<Item> physical = new ArrayList<>(items);
        physical.sort(Comparator.comparingLong(it -> it.headerOffset));
        try (TreeCollector collector = new TreeCollector(tempParent, limits, prefix)) {
            for (Item it : physical) {
                add(collector, it, zip);
            }
            return collector.finish();
        }
    }

    private static void add(TreeCollector c, Item it, ZipFile zip) {
        switch (it.kind) {
            case SYMLINK -> c.addSymlink(it.name);
            case SPECIAL -> c.addSpecial(it.name);
            case DIR -> c.addDirectory(it.name);
            case FILE -> {
                if (zip == null) {
                    c.addFile(it.name, it.executable, null);
                } else {
                    try (EntryStream in = new EntryStream(zip, it)) {
                        c.addFile(it.name, it.executable, in);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * An entry's content, opened only when first read (entries the collector leaves out are never
     * inflated), checked against the declared size and CRC-32 at its end. Library errors while
     * inflating surface as IOException, which the collector reports as ARCHIVE_CORRUPT.
     */
    private static final class EntryStream extends InputStream {
        private final ZipFile zip;
        private final Item item;
        private final CRC32 crc = new CRC32();
        private InputStream in;
        private long count;
        private boolean verified;

        EntryStream(ZipFile zip, Item item) {
            this.zip = zip;
            this.item = item;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (in == null) {
                open();
            }
            try {
                int n = in.read(b, off, len);
                if (n < 0) {
                    verify();
                } else {
                    crc.update(b, off, n);
                    count += n;
                }
                return n;
            } catch (DomainException | IOException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IOException("inflating failed", e);
            }
        }

        private void open() throws IOException {
            ZipArchiveEntry e = item.entry;
            GeneralPurposeBit gpb = e.getGeneralPurposeBit();
            if (gpb.usesEncryption() || gpb.usesStrongEncryption() || (item.localFlags & 1) != 0) {
                throw PathRules.problem(DomainError.ARCHIVE_ENCRYPTED, "The archive has an encrypted entry", item.name);
            }
            int method = e.getMethod();
            if (method != ZipArchiveEntry.STORED && method != ZipArchiveEntry.DEFLATED && method != 9) {
                throw PathRules.problem(DomainError.ARCHIVE_UNSUPPORTED_COMPRESSION,
                        "Entry uses compression method " + method + " (only stored, deflate and deflate64 are read)", item.name);
            }
            if (item.localMethod != method) {
                throw PathRules.problem(DomainError.ARCHIVE_CORRUPT,
                        "The local header of entry gives another compression method than the central directory", item.name);
            }
            try {
                if (!zip.canReadEntryData(e)) {
                    throw PathRules.problem(DomainError.ARCHIVE_UNSUPPORTED_COMPRESSION,
                            "Entry uses a zip feature Slipway does not read", item.name);
                }
                in = zip.getInputStream(e);
            } catch (RuntimeException ex) {
                if (ex instanceof DomainException p) {
                    throw p;
                }
                throw new IOException("cannot open entry", ex);
            }
            if (in == null) {
                throw new IOException("no stream for entry");
            }
        }

        private void verify() {
            if (verified) {
                return;
            }
            verified = true;
            ZipArchiveEntry e = item.entry;
            if (e.getSize() >= 0 && count != e.getSize()) {
                throw PathRules.problem(DomainError.ARCHIVE_CORRUPT,
                        "Entry inflates to " + count + " bytes but declares " + e.getSize(), item.name);
            }
            if (e.getCrc() >= 0 && crc.getValue() != e.getCrc()) {
                throw PathRules.problem(DomainError.ARCHIVE_CORRUPT, "Entry fails its CRC-32 check", item.name);
            }
        }

        @Override
        public void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException | RuntimeException ignored) {
                    // nothing was written through this stream
                }
            }
        }
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) {
                throw new DomainException(DomainError.ARCHIVE_CORRUPT, "The zip archive ends unexpectedly");
            }
        }
        return b;
    }

    private static DomainException corruptEntry(ZipArchiveEntry e, String what) {
        return new DomainException(DomainError.ARCHIVE_CORRUPT,
                "Entry " + PathRules.show(lossy(e.getRawName())) + " " + what);
    }

    private static DomainException tooMany(ImportLimits limits) {
        return new DomainException(DomainError.ARCHIVE_TOO_MANY_ENTRIES,
                "The archive has more than " + limits.maxEntries() + " entries");
    }

    private static String lossy(byte[] raw) {
        return new String(raw, StandardCharsets.UTF_8);
    }
}
