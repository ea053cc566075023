package dev.slipway.shared.imports.tree;

/**
 * How much an import may hold. Every limit counts what is really there (entries seen, bytes
 * actually inflated), never what an archive declares about itself.
 *
 * @param maxEntries    entries in the archive or tree, folders and left-out entries included
 * @param maxTotalBytes bytes inflated over the whole import
 * @param maxFileBytes  bytes inflated for any one file
 * @param maxPathChars  characters (UTF-16 units) in one entry path as written in the archive
 */
public record ImportLimits(int maxEntries, long maxTotalBytes, long maxFileBytes, int maxPathChars) {
    public static final ImportLimits DEFAULT = new ImportLimits(50_000, 500L << 20, 100L << 20, 1024);

    public ImportLimits {
        if (maxEntries < 1 || maxTotalBytes < 1 || maxFileBytes < 1 || maxPathChars < 1) {
            throw new IllegalArgumentException("import limits must be positive");
        }
    }
}
