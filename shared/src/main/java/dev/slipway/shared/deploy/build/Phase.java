package dev.slipway.shared.deploy.build;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One command of a build (install or build), as its sandbox runs it, with its output pumped into the log. The
 * thread that starts it waits for it: bubblewrap's {@code --die-with-parent} follows that thread.
 */
record Phase(int exitCode, boolean timedOut) {
    private static final long PUMP_GRACE_MILLIS = 5_000;

    static Phase run(ProcessBuilder pb, BuildLog log, long deadlineNanos) throws IOException {
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            log.output("could not start `" + pb.command().get(0) + "`: " + e.getMessage());
            return new Phase(127, false);
        }
        Thread pump = new Thread(() -> {
            try {
                log.pump(process.getInputStream());
            } catch (IOException | RuntimeException ignored) {
                // the stream closes when the process tree is killed
            }
        }, "build-log-pump-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        boolean timedOut = false;
        try {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                timedOut = true;
                killTree(process.toHandle());
            }
        } catch (InterruptedException e) {
            killTree(process.toHandle());
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", e);
        }
        try {
            pump.join(PUMP_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // if the pump is still alive, a background child holds the output pipe open: the daemon pump ends with
        // it, and the log ignores lines arriving after it is closed
        return new Phase(timedOut ? -1 : process.exitValue(), timedOut);
    }

    /**
     * Kills {@code root} and every descendant. Descendants are collected before anything is killed (a killed
     * parent's children are re-parented and would no longer be found), repeatedly, in case a process forked
     * while the tree was being killed.
     */
    static void killTree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
            if (root.isAlive()) {
                tree.add(0, root);
            }
            if (tree.isEmpty()) {
                break;
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            all.addAll(tree);
        }
        CompletableFuture<?>[] exits = all.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort: anything still alive after SIGKILL + 10 s is beyond our reach
        }
    }
}
