package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.imports.scan.EnvFile;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * The path rules of an import, shared by every source (zip now, a git tree later). Pure functions:
 * nothing here touches the disk.
 */
final class PathRules {
    /** Longest segment most file systems (and git checkouts on them) accept, in UTF-8 bytes. */
    static final int MAX_SEGMENT_BYTES = 255;
    /** Keeps the on-disk path (work folder + entry) under Linux PATH_MAX whatever maxPathChars says. */
    static final int MAX_PATH_BYTES = 3072;
    /** How much of a path a problem detail may echo. */
    static final int MAX_SHOWN_CHARS = 200;

    /** Folders left out wherever they are: not read, not checked beyond the hostile-name rules. */
    static final Set<String> ANYWHERE_FOLDERS = Set.of("node_modules", ".git", "__MACOSX");
    /** Folders left out only at the (stripped) root: build output and host caches. */
    static final Set<String> ROOT_FOLDERS = Set.of("dist", "build", ".next", "out", ".vercel", ".netlify", "coverage");

    private PathRules() {
    }

    /**
     * The rules every entry must pass, even one inside a left-out folder: a malicious name is
     * malicious anywhere. Checked in this order: empty, backslash, absolute, traversal.
     */
    static void checkHostile(String raw) {
        if (raw.isEmpty()) {
            throw problem(DomainError.ARCHIVE_INVALID_PATH, "An entry has an empty path", null);
        }
        if (raw.indexOf('\\') >= 0) {
            throw problem(DomainError.ARCHIVE_BACKSLASH_PATH, "Entry path uses a backslash", raw);
        }
        if (raw.charAt(0) == '/') {
            throw problem(DomainError.ARCHIVE_ABSOLUTE_PATH, "Entry path is absolute", raw);
        }
        if (raw.length() >= 2 && raw.charAt(1) == ':' && isAsciiLetter(raw.charAt(0))) {
            throw problem(DomainError.ARCHIVE_ABSOLUTE_PATH, "Entry path names a drive", raw);
        }
        int start = 0;
        while (start <= raw.length()) {
            int slash = raw.indexOf('/', start);
            int end = slash < 0 ? raw.length() : slash;
            if (end - start == 2 && raw.charAt(start) == '.' && raw.charAt(start + 1) == '.') {
                throw problem(DomainError.ARCHIVE_PATH_TRAVERSAL, "Entry path climbs out with '..'", raw);
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
    }

    /**
     * Why an entry is left out wherever it is, as the label {@link ImportTree#skipped()} reports, or
     * null when it is not. {@code folder} says whether the last segment names a folder.
     */
    static String anywhereFilter(String[] segments, boolean folder) {
        int last = segments.length - 1;
        for (int i = 0; i <= last; i++) {
            String s = segments[i];
            boolean isFolder = i < last || folder;
            if (s.equals("node_modules") || s.equals("__MACOSX") || (isFolder && s.equals(".git"))) {
                return s + "/";
            }
        }
        if (!folder) {
            String name = segments[last];
            if (name.equalsIgnoreCase(".DS_Store")) {
                return ".DS_Store";
            }
            if (name.equalsIgnoreCase("Thumbs.db")) {
                return "Thumbs.db";
            }
            if (name.equalsIgnoreCase("desktop.ini")) {
                return "desktop.ini";
            }
            if (name.startsWith("._")) {
                return "._* (AppleDouble)";
            }
        }
        return null;
    }

    /** The label when a path (already stripped) lies in a root-only left-out folder, else null. */
    static String rootFilter(String[] stripped, int from, boolean folder) {
        int remaining = stripped.length - from;
        if (remaining >= (folder ? 1 : 2) && ROOT_FOLDERS.contains(stripped[from])) {
            return stripped[from] + "/";
        }
        return null;
    }

    /** The rules for an entry that is kept: characters, segments, git-reserved names, lengths. */
    static void checkKept(String raw, String[] segments, int maxPathChars) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw problem(DomainError.ARCHIVE_INVALID_PATH, "Entry path has a control character", raw);
            }
            if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw problem(DomainError.ARCHIVE_INVALID_PATH, "Entry path has an unpaired surrogate", raw);
            }
        }
        if (raw.length() > maxPathChars) {
            throw problem(DomainError.ARCHIVE_PATH_TOO_LONG,
                    "Entry path has " + raw.length() + " characters, more than " + maxPathChars, raw);
        }
        if (utf8Length(raw) > MAX_PATH_BYTES) {
            throw problem(DomainError.ARCHIVE_PATH_TOO_LONG,
                    "Entry path is longer than " + MAX_PATH_BYTES + " bytes in UTF-8", raw);
        }
        for (String s : segments) {
            if (s.isEmpty()) {
                throw problem(DomainError.ARCHIVE_INVALID_PATH, "Entry path has an empty segment", raw);
            }
            if (s.equals(".")) {
                throw problem(DomainError.ARCHIVE_INVALID_PATH, "Entry path has a '.' segment", raw);
            }
            if (utf8Length(s) > MAX_SEGMENT_BYTES) {
                throw problem(DomainError.ARCHIVE_PATH_TOO_LONG,
                        "A segment of the entry path is longer than " + MAX_SEGMENT_BYTES + " bytes", raw);
            }
            if (isGitReserved(s)) {
                throw problem(DomainError.ARCHIVE_INVALID_PATH, "Entry path has a name git reserves (.git)", raw);
            }
        }
    }

    /**
     * Names git refuses to check out because some file system would read them as {@code .git}:
     * any case of {@code .git}, with trailing dots or spaces (NTFS), with characters HFS+ ignores,
     * the 8.3 short name {@code git~1}, or an NTFS stream of either.
     */
    static boolean isGitReserved(String segment) {
        StringBuilder b = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (!isHfsIgnorable(c)) {
                b.append(c);
            }
        }
        int end = b.length();
        while (end > 0 && (b.charAt(end - 1) == ' ' || b.charAt(end - 1) == '.')) {
            end--;
        }
        String n = b.substring(0, end).toLowerCase(Locale.ROOT);
        int colon = n.indexOf(':');
        if (colon >= 0) {
            n = n.substring(0, colon);
        }
        return n.equals(".git") || n.equals("git~1");
    }

    private static boolean isHfsIgnorable(char c) {
        return (c >= '\u200c' && c <= '\u200f') || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u206a' && c <= '\u206f') || c == '\ufeff';
    }

    /** Whether the last segment is a {@code .env*} file (any letter case) that is taken out of the tree. */
    static boolean isEnvFile(String name) {
        return EnvFile.isEnvFileName(name);
    }

    /** The key two sibling names collide under: NFC, then lower case (Locale.ROOT). */
    static String foldKey(String segment) {
        return Normalizer.normalize(segment, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static DomainException problem(DomainError type, String message, String path) {
        return new DomainException(type, path == null ? message : message + ": " + show(path));
    }

    /**
     * A path as a problem detail may echo it: at most {@value #MAX_SHOWN_CHARS} characters, with
     * control, format (bidi) and unpaired surrogate characters escaped as {@code \\uXXXX}, in quotes.
     */
    static String show(String path) {
        StringBuilder b = new StringBuilder(Math.min(path.length(), MAX_SHOWN_CHARS) + 16).append('"');
        int shown = 0;
        for (int i = 0; i < path.length(); i++) {
            if (shown >= MAX_SHOWN_CHARS) {
                b.append("\u2026 (").append(path.length()).append(" characters)");
                return b.append('"').toString();
            }
            char c = path.charAt(i);
            int type = Character.getType(c);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < path.length()
                    && Character.isLowSurrogate(path.charAt(i + 1));
            if (pairedSurrogate) {
                b.append(c).append(path.charAt(++i));
            } else if (c == '"' || type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
            shown++;
        }
        return b.append('"').toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
