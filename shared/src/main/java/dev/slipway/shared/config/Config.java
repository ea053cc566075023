package dev.slipway.shared.config;

import java.util.Map;
import java.util.Optional;

/**
 * The settings a function runs with: in Lambda the process environment that template.yaml sets,
 * in the local runtime the same variables resolved for the laptop. Handlers read nothing else, so
 * one codebase runs in both places.
 */
public final class Config {
    /** Set by the local runtime only; switches credentials to the static local pair. */
    public static final String LOCAL_FLAG = "SLIPWAY_LOCAL";

    private final Map<String, String> values;

    private Config(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Config of(Map<String, String> values) {
        return new Config(values);
    }

    public static Config fromEnvironment() {
        return new Config(System.getenv());
    }

    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public String require(String name) {
        return get(name).orElseThrow(() -> new IllegalStateException(
                "environment variable " + name + " is not set (template.yaml sets it for every function)"));
    }

    public boolean isLocal() {
        return get(LOCAL_FLAG).map(Boolean::parseBoolean).orElse(false);
    }

    public Map<String, String> asMap() {
        return values;
    }
}
