package dev.slipway.cli;

import picocli.CommandLine.Option;

/** A command about one app: {@code --app}, else SLIPWAY_APP, the nearest {@code .slipway-app}, the config's app. */
abstract class AppCommand extends BaseCommand {
    @Option(names = {"-a", "--app"}, paramLabel = "APP", description = "The app (default: SLIPWAY_APP, .slipway-app here or above, the config's app)")
    String appFlag;

    String app() {
        return settings().app(appFlag);
    }

    /** {@code /apps/{app}} + {@code rest}. */
    String appPath(String rest) {
        return "/apps/" + app() + rest;
    }
}
