package dev.slipway.shared.deploy.server.hosting;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which of an app's variables its server gets at run time: the server-side ones. Names with a framework's
 * public prefix are built into the client's files at build time (as for static apps) and are not runtime
 * configuration, so they stay out of the server's environment.
 */
public final class RuntimeVariables {
    /** Prefixes that mark a variable as public (inlined into client bundles by the framework's build). */
    public static final List<String> PUBLIC_PREFIXES = List.of("NEXT_PUBLIC_", "VITE_", "PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_",
            "NUXT_PUBLIC_", "GATSBY_");

    private RuntimeVariables() {
    }

    public static boolean isPublic(String name) {
        return PUBLIC_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** The server-side subset of a scope's values, in name order. */
    public static Map<String, String> serverSide(Map<String, String> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (!isPublic(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
