package dev.slipway.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root: {@code slipway} alone prints the commands. */
@Command(name = "slipway", mixinStandardHelpOptions = true, version = "slipway 0.1.0",
        description = "Slipway for its users: import, deploy, preview and roll back apps from the command line.",
        footer = {"", "Exit codes: 0 ok, 1 failed, 2 usage, 3 not signed in or forbidden, 4 not found, 5 conflict,"
                + " 6 API unreachable, 7 request refused as invalid. Reference: docs/cli.md"},
        subcommands = {LoginCommand.class, LogoutCommand.class, AppsCommand.class, ImportCommand.class, DeployCommand.class,
                StatusCommand.class, ReleasesCommand.class, RollbackCommand.class, PromoteCommand.class, PreviewsCommand.class,
                EnvCommand.class, DatabaseCommand.class, LogsCommand.class, OpenCommand.class, TokensCommand.class})
final class SlipwayCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
