package dev.slipway.shared.deploy.build.sandbox;

import java.util.Map;

/** No sandbox can be made here: every build fails with {@link #reason()} rather than run unconfined unasked. */
public record Unavailable(String reason) implements BuildSandbox {
    public static final String FIX = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install"
            + " bubblewrap), or start `slipway up --unsandboxed-builds` to build without isolation (only for code you trust)";

    @Override
    public View view(Mounts mounts) {
        return Unsandboxed.hostView(mounts);
    }

    @Override
    public ProcessBuilder process(Mounts mounts, String shellCommand, Map<String, String> environment, EgressProxy egress) {
        throw new IllegalStateException(message());
    }

    @Override
    public boolean needsEgressProxy() {
        return false;
    }

    @Override
    public String description() {
        return "no build sandbox: " + reason;
    }

    /** What a build that cannot run says. */
    public String message() {
        return "builds run in a sandbox and none is available (" + reason + "): " + FIX;
    }

}
