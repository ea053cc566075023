package dev.slipway.shared.deploy.server;

import dev.slipway.shared.deploy.model.ServerBundle;

import java.util.Map;
import java.util.Optional;

/**
 * A bundle zip's S3 metadata: what runs it, so whoever holds only the bucket (the local edge) knows a
 * release's server from one HEAD. The one place its keys are named.
 */
public final class ServerBundles {
    public static final String FRAMEWORK = "slipway-framework";
    public static final String NODE_MAJOR = "slipway-node-major";
    public static final String ENTRY = "slipway-entry";
    public static final String SHA256 = "slipway-sha256";
    public static final String UNZIPPED_BYTES = "slipway-unzipped-bytes";

    private ServerBundles() {
    }

    public static Map<String, String> metadata(ServerBundle b) {
        return Map.of(FRAMEWORK, b.framework(), NODE_MAJOR, Integer.toString(b.nodeMajor()), ENTRY, b.entry(),
                SHA256, b.sha256(), UNZIPPED_BYTES, Long.toString(b.unzippedBytes()));
    }

    /** The bundle the metadata describes, or empty when it is not one {@link #metadata} wrote. */
    public static Optional<ServerBundle> fromMetadata(Map<String, String> meta, long zipBytes) {
        try {
            return Optional.of(new ServerBundle(meta.get(FRAMEWORK), Integer.parseInt(meta.get(NODE_MAJOR)), meta.get(ENTRY),
                    meta.get(SHA256), zipBytes, Long.parseLong(meta.get(UNZIPPED_BYTES))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
