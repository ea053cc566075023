package dev.slipway.shared.deploy.build.sandbox;

import java.io.File;
import java.util.Locale;
import java.util.Map;

/**
 * Builds as plain child processes of Slipway: they can read whatever this user can, and reach any address.
 * Only by the owner's explicit choice ({@code slipway up --unsandboxed-builds}), e.g. on a machine without
 * user namespaces, for code they trust; the build log says so on every build.
 */
public record Unsandboxed() implements BuildSandbox {
    private static final String NULL_DEVICE =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "NUL" : "/dev/null";

    static View hostView(Mounts m) {
        return new View(m.app().toString(), m.home().toString(), m.tmp().toString(), m.packageCaches().toString(),
                m.nodeHome() == null ? null : m.nodeHome().toString());
    }

    @Override
    public View view(Mounts mounts) {
        return hostView(mounts);
    }

    @Override
    public ProcessBuilder process(Mounts mounts, String shellCommand, Map<String, String> environment, EgressProxy egress) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", shellCommand).directory(mounts.app().toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File(NULL_DEVICE)));
        pb.environment().clear();
        pb.environment().putAll(environment);
        return pb;
    }

    @Override
    public boolean needsEgressProxy() {
        return false;
    }

    @Override
    public String description() {
        return "UNSANDBOXED (--unsandboxed-builds): this build can read everything Slipway's user can and reach any"
                + " address";
    }
}
