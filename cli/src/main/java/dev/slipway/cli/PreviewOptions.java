package dev.slipway.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** A new preview's lifetime and protection: the options of {@code deploy --preview} and {@code previews create}. */
final class PreviewOptions {
    @Option(names = "--ttl-hours", paramLabel = "H", description = "A preview's lifetime in hours (1–720, default 72)")
    Integer ttlHours;

    @Option(names = "--protected", description = "A preview only visitors with its token (shown once) may see")
    boolean protectedPreview;

    boolean given() {
        return ttlHours != null || protectedPreview;
    }

    /** Adds what was given to a POST …/previews body. */
    ObjectNode applyTo(ObjectNode body) {
        if (ttlHours != null) {
            body.put("ttlHours", ttlHours);
        }
        if (protectedPreview) {
            body.put("protected", true);
        }
        return body;
    }
}
