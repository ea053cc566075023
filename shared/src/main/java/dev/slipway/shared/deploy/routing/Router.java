package dev.slipway.shared.deploy.routing;

import java.util.Optional;

/** Placeholder until the edge branch lands: host label → release id. */
public interface Router {
    void point(String hostLabel, String releaseId);

    void remove(String hostLabel);

    Optional<String> lookup(String hostLabel);

    static Router from(dev.slipway.shared.config.Config config) {
        throw new UnsupportedOperationException("placeholder");
    }
}
