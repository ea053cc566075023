package dev.slipway.local.servers;

import dev.slipway.shared.env.EnvScope;

import java.util.concurrent.TimeUnit;

/** One running server: a release's Node process for one scope, reached at {@link #port()} of the host's loopback. */
public final class NodeServer {
    /** Which server: a release of an app, for one scope (its own runtime variables). */
    public record Key(String appId, String releaseId, EnvScope scope) {
    }

    private final Key key;
    private final Process process;
    private final int port;
    private final Runnable onStop;
    private final long startedNanos = System.nanoTime();
    private volatile long lastUsedNanos = System.nanoTime();

    /** @param onStop what to release once the process is gone (a sandboxed server's relay and way-in folder) */
    NodeServer(Key key, Process process, int port, Runnable onStop) {
        this.key = key;
        this.process = process;
        this.port = port;
        this.onStop = onStop;
    }

    public Key key() {
        return key;
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
