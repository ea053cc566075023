package dev.slipway.shared.deploy.build.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a build's commands run. A build executes code nobody at Slipway wrote (the export's scripts and its
 * dependencies' install scripts), so on Linux it runs in a {@link Bubblewrap} sandbox that shows it only its
 * own folders and the toolchain, with its network behind an {@link EgressProxy}. {@link Unsandboxed} (an
 * explicit opt-out, for machines without user namespaces) and {@link Unavailable} (the sandbox is missing:
 * every build fails, naming what to install) are the alternatives.
 */
public sealed interface BuildSandbox permits Bubblewrap, Unsandboxed, Unavailable {

    /**
     * The folders one build may use, as host paths. {@code readOnlyNodeModules}: a dependency cache entry, or null;
     * {@code nodeHome}: a Node.js fetched for this build (read-only, its {@code bin} first on PATH), or null.
     */
    record Mounts(Path app, Path home, Path tmp, Path packageCaches, Path readOnlyNodeModules, Path nodeModulesScratch,
                  Path nodeHome) {
    }

    /** Where those folders appear to the build's commands (what HOME, TMPDIR, PATH and cache variables must name). */
    record View(String app, String home, String tmp, String packageCaches, String nodeHome) {
    }

    View view(Mounts mounts);

    /**
     * The process running {@code shellCommand} with exactly {@code environment} (paths in it as {@link #view}
     * gives them). {@code egress}: the build's network, or null for none.
     */
    ProcessBuilder process(Mounts mounts, String shellCommand, Map<String, String> environment, EgressProxy egress)
            throws IOException;

    /** Whether builds get network through an {@link EgressProxy} (else they use the host's network directly). */
    boolean needsEgressProxy();

    /** One line for the build log and `slipway up`'s start message. */
    String description();

    /**
     * Bubblewrap when {@code bwrap} is on {@code PATH} and can create namespaces here; else {@link Unavailable}
     * with the reason and the fix.
     */
    static BuildSandbox detect(Map<String, String> parentEnv) {
        return Bubblewrap.probe(parentEnv);
    }
}
