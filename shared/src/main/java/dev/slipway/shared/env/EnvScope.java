package dev.slipway.shared.env;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where an app environment variable applies. A preview build gets only PREVIEW variables, so a
 * production-only secret never reaches a preview's files.
 */
public enum EnvScope {
    PRODUCTION, PREVIEW;

    /** Both scopes: the default, and what imported variables get. */
    public static final Set<EnvScope> ALL = Collections.unmodifiableSet(EnumSet.allOf(EnvScope.class));

    /** The scope's name in the API and in SSM paths: {@code production} or {@code preview}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code production} or {@code preview} (lowercase, exactly); anything else is refused. */
    public static EnvScope of(String id) {
        for (EnvScope s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not an environment scope: " + id);
    }
}
