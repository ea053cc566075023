package dev.slipway.shared.imports.tree;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Map;

/**
 * The collision rules over a whole tree: every kept path is claimed in a trie of names, and two
 * paths may not be the same (duplicate), the same after Unicode normalisation, the same but for
 * letter case, or a file where the other has a folder. Linear in the total path length.
 */
final class PathClaims {
    private final Node root = new Node();

    private static final class Node {
        Map<String, Node> children;
        Map<String, String> folded;
        boolean file;
    }

    /**
     * Walks the path's segments (from {@code from}) through the trie. Sibling names are compared
     * exactly, then after NFC (Unicode collision), then after NFC + lower case (case collision);
     * the first level where two paths differ decides which problem is reported.
     */
    void claim(String[] segments, int from, boolean isFile) {
        Node node = root;
        for (int i = from; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (node.children == null) {
                node.children = new HashMap<>();
                node.folded = new HashMap<>();
            }
            Node child = node.children.get(s);
            if (child == null) {
                String key = PathRules.foldKey(s);
                String other = node.folded.putIfAbsent(key, s);
                if (other != null) {
                    String mine = joined(segments, from, i, s);
                    String theirs = joined(segments, from, i, other);
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
                        joined(segments, from, i, s));
            } else if (child.file || (last && isFile)) {
                throw PathRules.problem(DomainError.ARCHIVE_FILE_DIRECTORY_CONFLICT, "A path is both a file and a folder",
                        joined(segments, from, i, s));
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
}
