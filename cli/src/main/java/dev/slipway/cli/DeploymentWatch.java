package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Follows a deployment to its end: each step on stderr as it starts and ends, and the build log's new lines as they
 * arrive (the logs route answers the whole log so far; what was printed is not printed again).
 */
final class DeploymentWatch {
    private static final Duration POLL = Duration.ofMillis(400);
    private static final Duration LOG_POLL = Duration.ofSeconds(1);
    private static final Duration GIVE_UP = Duration.ofMinutes(60);
    private final ApiClient api;
    private final String app;
    private final PrintStream err;
    private final boolean steps;
    private final boolean logs;
    private final Set<String> started = new HashSet<>();
    private final Set<String> ended = new HashSet<>();
    private String printedLog = "";

    /** {@code steps}/{@code logs}: what to print on {@code err} while waiting (nothing under --json). */
    DeploymentWatch(ApiClient api, String app, PrintStream err, boolean steps, boolean logs) {
        this.api = api;
        this.app = app;
        this.err = err;
        this.steps = steps;
        this.logs = logs;
    }

    /** Polls until the deployment is no longer RUNNING and returns its last state. */
    JsonNode await(String deploymentId) {
        String path = "/apps/" + app + "/deployments/" + BaseCommand.seg(deploymentId);
        Instant giveUp = Instant.now().plus(GIVE_UP);
        Instant nextLog = Instant.now();
        while (true) {
            JsonNode d = api.get(path);
            boolean running = "RUNNING".equals(d.path("status").asText());
            if (logs && (!running || !Instant.now().isBefore(nextLog) || buildJustEnded(d)) && buildStarted(d)) {
                printLog(path + "/logs", !running);
                nextLog = Instant.now().plus(LOG_POLL);
            }
            if (steps) {
                printSteps(d);
            }
            if (!running) {
                return d;
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new CliFailure(ExitCode.FAILED, "deployment " + deploymentId + " still running after " + GIVE_UP.toMinutes()
                        + " minutes; follow it with `slipway logs " + deploymentId + "`");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(ExitCode.FAILED, "interrupted; the deployment goes on: slipway logs " + deploymentId);
            }
        }
    }

    /** The Build step ended since the last print: its log comes before the steps after it. */
    private boolean buildJustEnded(JsonNode d) {
        for (JsonNode s : d.path("steps")) {
            if ("Build".equals(s.path("name").asText()) && s.hasNonNull("endedAt") && !ended.contains("Build")) {
                return true;
            }
        }
        return false;
    }

    private static boolean buildStarted(JsonNode d) {
        for (JsonNode s : d.path("steps")) {
            if ("Build".equals(s.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private void printSteps(JsonNode d) {
        for (JsonNode s : d.path("steps")) {
            String name = s.path("name").asText();
            if (s.hasNonNull("startedAt") && started.add(name) && !s.hasNonNull("endedAt")) {
                err.println("  … " + name);
            }
            if (s.hasNonNull("endedAt") && ended.add(name)) {
                started.add(name);
                String outcome = s.path("outcome").asText("succeeded");
                String mark = outcome.startsWith("failed") ? "✗" : outcome.equals("skipped") ? "-" : "✓";
                err.println("  " + mark + " " + name + " " + took(s) + (outcome.equals("succeeded") ? "" : " (" + outcome + ")"));
            }
        }
        err.flush();
    }

    private static String took(JsonNode s) {
        try {
            Duration t = Duration.between(Instant.parse(s.path("startedAt").asText()), Instant.parse(s.path("endedAt").asText()));
            return String.format(java.util.Locale.ROOT, "%.1fs", t.toMillis() / 1000.0);
        } catch (RuntimeException unparsable) {
            return "";
        }
    }

    private void printLog(String logsPath, boolean last) {
        String log;
        try {
            log = api.getText(logsPath);
        } catch (CliFailure notYet) {
            if (notYet.exitCode() == ExitCode.NOT_FOUND) {
                return; // no build log yet (or none: a reused release)
            }
            throw notYet;
        }
        String fresh = unseen(printedLog, log);
        if (!last) {
            fresh = fresh.substring(0, fresh.lastIndexOf('\n') + 1); // whole lines only while it grows
        }
        if (!fresh.isEmpty()) {
            for (String line : fresh.split("\\R", -1)) {
                if (!line.isEmpty()) {
                    err.println("  │ " + line);
                }
            }
            err.flush();
        }
        printedLog = last ? log : printedLog + fresh;
    }

    /** What {@code now} adds to {@code before}: its tail when it grew, past the overlap when its head was cut off. */
    static String unseen(String before, String now) {
        if (now.startsWith(before)) {
            return now.substring(before.length());
        }
        // the API keeps only the log's tail: find where what was printed ends in it (its last lines, fewer if cut)
        String[] lines = before.split("(?<=\n)");
        for (int k = Math.min(3, lines.length); k >= 1; k--) {
            String tail = String.join("", java.util.Arrays.copyOfRange(lines, lines.length - k, lines.length));
            int at = tail.isBlank() ? -1 : now.lastIndexOf(tail);
            if (at >= 0) {
                return now.substring(at + tail.length());
            }
        }
        return now;
    }
}
