package dev.slipway.cli;

/** The exit codes scripts can rely on (docs/cli.md lists them; they never change meaning). */
public final class ExitCode {
    public static final int OK = 0;
    /** The operation ran and failed (a deployment that failed, a server error, anything not below). */
    public static final int FAILED = 1;
    /** The command line is wrong (unknown command or option, missing argument, no app chosen). */
    public static final int USAGE = 2;
    /** Not signed in, the token is refused (401, 429) or not allowed this (403). */
    public static final int AUTH = 3;
    /** The app, deployment, release, preview or token does not exist (404). */
    public static final int NOT_FOUND = 4;
    /** A conflict: it exists already, changed meanwhile, or is in a state that forbids this (409). */
    public static final int CONFLICT = 5;
    /** The API could not be reached (connection refused, timeout, unknown host). */
    public static final int UNREACHABLE = 6;
    /** The API refused the request as invalid (400, 413, 415, 422): the problem says what. */
    public static final int INVALID = 7;

    private ExitCode() {
    }

    /** The exit code of an API answer with this (error) status. */
    public static int ofStatus(int status) {
        return switch (status) {
            case 401, 403, 429 -> AUTH;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 400, 413, 415, 422 -> INVALID;
            default -> FAILED;
        };
    }
}
