package dev.slipway.shared.env;

import java.time.Instant;
import java.util.Set;

/** A variable as the API may show it: name and scopes, never the value. */
public record EnvVariable(String name, Set<EnvScope> scopes, Instant updatedAt) {
    public EnvVariable {
        scopes = Set.copyOf(scopes);
    }
}
