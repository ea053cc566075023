package dev.slipway.local.servers;

import dev.slipway.shared.deploy.server.hosting.ServerLogs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One release's server log: a line per output line, {@code <instant> [<scope>] <text>}, already redacted.
 * Instants strictly increase, so {@code since} pages without repeating or losing a line.
 */
final class ServerLogFile {
    /** A line longer than this is cut (a server printing a whole page stays readable). */
    static final int MAX_LINE = 8 * 1024;

    private final Path file;
    private Instant last = Instant.EPOCH;

    ServerLogFile(Path file) {
        this.file = file;
    }

    synchronized void append(String scope, String text) {
        Instant now = Instant.now();
        if (!now.isAfter(last)) {
            now = last.plusNanos(1);
        }
        last = now;
        String line = text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + "…" : text;
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                w.write(now + " [" + scope + "] " + line.replace('\n', ' ').replace('\r', ' ') + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code n} lines' texts (scope included), oldest first. */
    synchronized String tail(int n) {
        Deque<String> lines = new ArrayDeque<>();
        for (ServerLogs.Line l : lines()) {
            lines.addLast(l.text());
            if (lines.size() > n) {
                lines.removeFirst();
            }
        }
        return String.join("\n", lines);
    }

    synchronized ServerLogs.Page read(Instant since, int limit) {
        List<ServerLogs.Line> out = new ArrayList<>();
        Instant next = null;
        for (ServerLogs.Line l : lines()) {
            if (since != null && l.at().isBefore(since)) {
                continue;
            }
            if (out.size() == limit) {
                next = l.at();
                break;
            }
            out.add(l);
        }
        return new ServerLogs.Page(out, next);
    }

    synchronized void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ServerLogs.Line> lines() {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ServerLogs.Line> out = new ArrayList<>(raw.size());
        for (String line : raw) {
            int sp = line.indexOf(' ');
            if (sp < 0) {
                continue;
            }
            try {
                out.add(new ServerLogs.Line(Instant.parse(line.substring(0, sp)), line.substring(sp + 1)));
            } catch (DateTimeParseException e) {
                // a torn line after a crash: skipped
            }
        }
        return out;
    }
}
