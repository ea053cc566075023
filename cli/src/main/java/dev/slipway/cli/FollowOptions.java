package dev.slipway.cli;

import picocli.CommandLine.Option;

/** How a started deployment is followed: the options of {@code deploy} and {@code previews create}. */
final class FollowOptions {
    @Option(names = "--detach", description = "Start it and return at once (prints the deployment id)")
    boolean detach;

    @Option(names = "--no-logs", negatable = false, description = "Follow the steps only, not the build log")
    boolean noLogs;
}
