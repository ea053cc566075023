package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * What every user command shares: {@code --json}, {@code --api}, {@code --idempotency-key}, the API client, output
 * (human text on stdout, progress and notes on stderr; under --json one JSON document on stdout and nothing else),
 * and the one place a failure becomes its exit code and its one line on stderr.
 */
abstract class BaseCommand implements Callable<Integer> {
    /** Set by {@link Main}'s factory before the command runs. */
    Terminal io;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Machine output: one JSON document on stdout, nothing else there")
    boolean json;

    @Option(names = "--api", paramLabel = "URL", description = "The Slipway API (default: SLIPWAY_API, the login, or a running slipway up)")
    String apiFlag;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Sent with each change this command makes: running the command again with the same key does the work once")
    String idempotencyKey;

    private String key;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (CliFailure f) {
            fail(f);
            return f.exitCode();
        } catch (IOException e) {
            fail(new CliFailure(ExitCode.FAILED, e.getMessage()));
            return ExitCode.FAILED;
        } catch (UncheckedIOException e) {
            fail(new CliFailure(ExitCode.FAILED, e.getCause().getMessage()));
            return ExitCode.FAILED;
        }
    }

    protected abstract int run() throws IOException;

    private void fail(CliFailure f) {
        io.err().println("slipway: " + f.getMessage());
        if (json) {
            ObjectNode error = ApiClient.object();
            ObjectNode e = error.putObject("error");
            e.put("exitCode", f.exitCode());
            e.put("message", f.getMessage());
            if (f.problem() != null) {
                e.set("problem", f.problem());
            }
            print(error);
        }
    }

    Settings settings() {
        return new Settings(io);
    }

    /** The API with the token for it; not signed in is exit code 3 before any request. */
    ApiClient api() {
        Settings.Connection c = settings().connection(apiFlag);
        if (c.token() == null) {
            throw new CliFailure(ExitCode.AUTH, "no token for " + c.apiUrl() + ": run `slipway login` or set SLIPWAY_TOKEN");
        }
        return new ApiClient(c.apiUrl(), c.token(), idempotencyKey());
    }

    /** One key per run of the command, shared by its calls (keys are scoped to the route and path). */
    String idempotencyKey() {
        if (key == null) {
            key = idempotencyKey != null ? idempotencyKey : "cli-" + UUID.randomUUID();
        }
        return key;
    }

    /** Prints the machine output (under --json) as one line. */
    void print(JsonNode n) {
        try {
            io.out().println(ApiClient.JSON.writeValueAsString(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line of human output (stdout), nothing under --json. */
    void say(String line) {
        if (!json) {
            io.out().println(line);
        }
    }

    /** A note on stderr (what is going on), nothing under --json. */
    void note(String line) {
        if (!json) {
            io.err().println(line);
        }
    }

    /** A person is watching: progress bars may be drawn. */
    boolean showProgress() {
        return io.interactive() && !json;
    }

    /**
     * A secret typed at a prompt that does not echo (a person at a terminal), else all of stdin less one trailing
     * newline (a pipe or a file): never from the command line, where other users' {@code ps} would see it.
     */
    String readSecret(String prompt) throws IOException {
        java.io.Console console = System.console();
        if (io.interactive() && console != null && io.in() == System.in) {
            char[] typed = console.readPassword(prompt);
            return typed == null ? null : new String(typed);
        }
        String all = new String(io.in().readAllBytes(), StandardCharsets.UTF_8);
        return all.endsWith("\r\n") ? all.substring(0, all.length() - 2) : all.endsWith("\n") ? all.substring(0, all.length() - 1) : all;
    }

    static String seg(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** An API instant for people: to the second ({@code 2027-03-07T17:10:49Z}); null stays null. */
    static String when(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(iso).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    /** Aligned columns, for lists. */
    static String row(int[] widths, String... cells) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i] == null ? "-" : cells[i];
            s.append(i == cells.length - 1 ? c : String.format("%-" + widths[i] + "s  ", c));
        }
        return s.toString().stripTrailing();
    }
}
