package dev.slipway.shared.imports.tree;

/**
 * One file of an {@link ImportTree}.
 *
 * @param path       '/'-separated, relative to {@link ImportTree#root()}, never starting with '/'
 * @param size       bytes on disk (the bytes really inflated)
 * @param executable whether the archive marked it executable (unix mode 0100)
 */
public record ImportFile(String path, long size, boolean executable) {
}
