package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command's end with a non-zero exit code and one line for stderr. {@code problem} is the API's problem+json when
 * the failure is the API's answer (printed on stdout under --json), else null.
 */
public final class CliFailure extends RuntimeException {
    private final int exitCode;
    private final transient JsonNode problem;

    public CliFailure(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public CliFailure(int exitCode, String message, JsonNode problem) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.problem = problem;
    }

    public int exitCode() {
        return exitCode;
    }

    public JsonNode problem() {
        return problem;
    }

    public static CliFailure usage(String message) {
        return new CliFailure(ExitCode.USAGE, message);
    }
}
