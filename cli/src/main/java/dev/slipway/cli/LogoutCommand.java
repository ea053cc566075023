package dev.slipway.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** Forgets the kept token (the API URL and default app stay, so the next login needs only a token). */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Forget the token kept by login.")
final class LogoutCommand extends BaseCommand {
    @Override
    protected int run() {
        Settings settings = settings();
        ObjectNode config = settings.config();
        boolean had = config.remove("token") != null;
        if (had) {
            settings.saveConfig(config);
        }
        if (json) {
            ObjectNode out = ApiClient.object();
            out.put("signedOut", had);
            out.put("configFile", settings.configFile().toString());
            print(out);
        } else {
            say(had ? "Signed out: the token is gone from " + settings.configFile() : "Not signed in; nothing to forget");
        }
        return ExitCode.OK;
    }
}
