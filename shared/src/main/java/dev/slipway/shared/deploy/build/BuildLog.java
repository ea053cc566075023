package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.BuildDiagnosis;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The build log file: redacted lines, capped at {@code maxBytes} (a note marks the truncation; the
 * last lines are still kept in memory for the failure reason). Thread-safe.
 */
final class BuildLog implements Closeable {
    /** Longer lines (progress bars, minified output) are split. */
    static final int MAX_LINE_CHARS = 8 * 1024;
    static final int TAIL_LINES = 20;

    private final LogRedactor redactor;
    private final long maxBytes;
    private final BufferedWriter out;
    private final Deque<String> tail = new ArrayDeque<>();
    private long written;
    private boolean truncated;
    private boolean closed;

    BuildLog(Path file, LogRedactor redactor, long maxBytes) throws IOException {
        this.redactor = redactor;
        this.maxBytes = maxBytes;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /** {@code text} as it would appear in the log. */
    String redact(String text) {
        return redactor.redact(text);
    }

    /** A line of this runner's own (phase headers, notes): redacted too, since commands may carry values. */
    void note(String text) {
        line("==> " + text, false);
    }

    /** A line a process printed. */
    void output(String text) {
        line(text, true);
    }

    private synchronized void line(String raw, boolean fromProcess) {
        // terminal colours out first (tools colour even without a terminal): the log is served as plain text, and
        // a value split by escape codes would slip past redaction
        String text = redactor.redact(fromProcess ? BuildDiagnosis.withoutColours(raw) : raw);
        if (fromProcess) {
            tail.addLast(text);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
        }
        if (truncated || closed) {
            return;
        }
        long bytes = text.getBytes(StandardCharsets.UTF_8).length + 1L;
        try {
            if (written + bytes > maxBytes) {
                truncated = true;
                out.write("==> log truncated: it reached the limit of " + maxBytes + " bytes; later output is not kept\n");
                out.flush();
                return;
            }
            out.write(text);
            out.write('\n');
            out.flush(); // whole lines reach the file as they come: the log is shipped while the build runs
            written += bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines processes printed (already redacted). */
    synchronized List<String> tail() {
        return new ArrayList<>(tail);
    }

    synchronized boolean truncated() {
        return truncated;
    }

    /** Copies a process's merged output into the log, line by line, until end of stream. */
    void pump(InputStream in) throws IOException {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        flushLine(line);
                    } else {
                        line.append(c);
                        if (line.length() >= MAX_LINE_CHARS) {
                            flushLine(line);
                        }
                    }
                }
            }
            if (!line.isEmpty()) {
                flushLine(line);
            }
        }
    }

    private void flushLine(StringBuilder line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        output(line.substring(0, end));
        line.setLength(0);
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        out.close();
    }

    synchronized void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }
}
