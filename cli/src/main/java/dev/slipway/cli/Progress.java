package dev.slipway.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr, redrawn in place ({@code \r}), for a person at a terminal only: scripts and --json get
 * nothing here. At most ten redraws a second.
 */
final class Progress implements AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean on;
    private final String label;
    private final long total;
    private long lastDraw;
    private boolean drawn;
    private long drawnDone;

    Progress(PrintStream err, boolean on, String label, long total) {
        this.err = err;
        this.on = on;
        this.label = label;
        this.total = Math.max(total, 1);
    }

    /** {@code done} bytes of the total so far; thread-safe (the HTTP client reports from its own threads). */
    synchronized void update(long done) {
        long now = System.nanoTime();
        if (!on || (drawn && done < total && now - lastDraw < 100_000_000L)) {
            return;
        }
        lastDraw = now;
        drawn = true;
        drawnDone = Math.min(done, total);
        err.print("\r" + line(label, drawnDone, total));
        err.flush();
    }

    static String line(String label, long done, long total) {
        int filled = (int) (WIDTH * done / total);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * done / total, size(done), size(total));
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    @Override
    public synchronized void close() {
        if (on && drawn) {
            err.print((drawnDone == total ? "" : "\r" + line(label, total, total)) + "\n");
            err.flush();
        }
    }
}
