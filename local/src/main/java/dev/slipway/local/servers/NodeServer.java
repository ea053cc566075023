package dev.slipway.local.servers;

import dev.slipway.shared.env.EnvScope;

import java.util.concurrent.TimeUnit;

/** One running server: a release's Node process for one scope, reached at {@link #port()} of the host's loopback. */
public final class NodeServer {
    /**
     * Which server: a release of an app, for one scope (its own runtime variables), or for one preview's host
     * ({@code preview} not null: the preview scope's values and the preview's own over them).
     */
    public record Key(String appId, String releaseId, EnvScope scope, String preview) {
        public Key(String appId, String releaseId, EnvScope scope) {
            this(appId, releaseId, scope, null);
        }

        /** The preview's own server of a release. */
        public static Key preview(String appId, String releaseId, String preview) {
            return new Key(appId, releaseId, EnvScope.PREVIEW, preview);
        }

        /** Its folder under the release's, and its name in the log: {@code production}, {@code preview}, {@code pv-<name>}. */
        public String label() {
            return preview == null ? scope.id() : "pv-" + preview;
        }
    }

    private final Key key;
    private final Process process;
    private final int port;
    private final Runnable onStop;
    private final String values;
    private final long startedNanos = System.nanoTime();
    private volatile long lastUsedNanos = System.nanoTime();

    /**
     * @param values a digest of the variables it started with (a server whose values changed is started again)
     * @param onStop what to release once the process is gone (a sandboxed server's relay and way-in folder) */
    NodeServer(Key key, Process process, int port, String values, Runnable onStop) {
        this.values = values;
        this.key = key;
        this.process = process;
        this.port = port;
        this.onStop = onStop;
    }

    public Key key() {
        return key;
    }

    String values() {
        return values;
    }

    public int port() {
        return port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The exit status, or -1 while it runs. */
    int exitStatus() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public void touch() {
        lastUsedNanos = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    long ageMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Asks the process to end (SIGTERM), then kills what is left of its tree. */
    void stop() {
        ProcessHandle handle = process.toHandle();
        var children = handle.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        onStop.run();
    }
}
