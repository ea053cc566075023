package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;

/**
 * Keeps an API URL and a token in the user's config after the API accepted them. The token is read from stdin (a
 * pipe, or a prompt that does not echo), never from the command line where other users' {@code ps} would see it.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in: check a token against the API and keep both in your config (mode 0600).",
                "The token is read from stdin: typed at a prompt that does not echo it, or piped (echo $T | slipway login --api URL)."})
final class LoginCommand extends BaseCommand {
    @Option(names = "--app", paramLabel = "APP", description = "Also keep APP as the default app")
    String app;

    @Override
    protected int run() throws IOException {
        Settings settings = settings();
        String api = apiFlag != null ? apiFlag : io.env("SLIPWAY_API");
        if (api == null) {
            api = settings.runtime().map(r -> r.path("apiUrl").asText(null)).orElse(null);
        }
        if (api == null) {
            throw CliFailure.usage("which API? pass --api URL (locally: the apiUrl `slipway up` prints)");
        }
        api = Settings.trim(api);
        if (!api.startsWith("https://") && !api.startsWith("http://")) {
            throw CliFailure.usage("--api must be an http(s) URL, not '" + api + "'");
        }
        String token = readSecret("Token: ");
        token = token == null ? null : token.strip();
        if (token == null || token.isBlank()) {
            throw CliFailure.usage("no token read from stdin");
        }
        JsonNode apps = new ApiClient(api, token, null).get("/apps?limit=100");
        ObjectNode config = settings.config();
        config.put("apiUrl", api);
        config.put("token", token);
        if (app != null) {
            config.put("app", app);
        }
        settings.saveConfig(config);
        if (json) {
            ObjectNode out = ApiClient.object();
            out.put("apiUrl", api);
            out.put("configFile", settings.configFile().toString());
            out.put("apps", apps.path("apps").size());
            print(out);
        } else {
            say("Signed in to " + api + " (" + apps.path("apps").size() + (apps.path("nextCursor").isNull() ? "" : "+")
                    + " apps visible); token kept in " + settings.configFile());
        }
        return ExitCode.OK;
    }
}
