package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;

/**
 * {@code slipway env}: the app's variables by name and scope. Values go in (stdin, a prompt that does not echo, or
 * {@code --value}) and are never printed: the API never answers them either.
 */
@Command(name = "env", mixinStandardHelpOptions = true, description = "List the app's environment variables: names and scopes, never values (set, rm: see below).",
        subcommands = {EnvCommand.Ls.class, EnvCommand.Set.class, EnvCommand.Rm.class})
final class EnvCommand extends AppCommand {
    @Override
    protected int run() {
        return show(this, api().get(appPath("/environment")));
    }

    static int show(AppCommand c, JsonNode listing) {
        if (c.json) {
            c.print(listing);
            return ExitCode.OK;
        }
        if (listing.path("variables").isEmpty()) {
            c.say("No variables: slipway env set NAME < value-file");
            return ExitCode.OK;
        }
        int[] w = {40, 24};
        c.say(row(w, "NAME", "SCOPES", "UPDATED"));
        for (JsonNode v : listing.path("variables")) {
            List<String> scopes = new java.util.ArrayList<>();
            v.path("scopes").forEach(s -> scopes.add(s.asText()));
            c.say(row(w, v.path("name").asText(), String.join(",", scopes), when(v.path("updatedAt").asText(null))));
        }
        return ExitCode.OK;
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List names and scopes (values are never shown).")
    static final class Ls extends AppCommand {
        @Override
        protected int run() {
            return show(this, api().get(appPath("/environment")));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Set NAME's value: read from stdin (piped, or typed without echo), or --value.",
                    "One trailing newline of stdin is dropped. The value is never printed."})
    static final class Set extends AppCommand {
        @Parameters(paramLabel = "NAME", description = "The variable, e.g. STRIPE_SECRET_KEY")
        String name;

        @Option(names = "--value", paramLabel = "VALUE", description = "The value (visible to other users' ps: prefer stdin)")
        String value;

        @Option(names = "--scope", paramLabel = "SCOPE", description = "production or preview; repeat for both (default: both)")
        List<String> scopes;

        @Override
        protected int run() throws IOException {
            String v = value != null ? value : readSecret(name + " (not echoed): ");
            if (v == null || v.isEmpty()) {
                throw CliFailure.usage("no value: pipe it on stdin (slipway env set " + name + " < file) or pass --value");
            }
            ObjectNode entry = ApiClient.object().put("value", v);
            if (scopes != null) {
                ArrayNode s = entry.putArray("scopes");
                scopes.forEach(s::add);
            }
            ObjectNode body = ApiClient.object();
            body.putObject("set").set(name, entry);
            JsonNode listing = api().call("PATCH", appPath("/environment"), body);
            if (!json) {
                say("Set " + name + (scopes == null ? " (production, preview)" : " (" + String.join(", ", scopes) + ")")
                        + "; deployments from now on get it");
                return ExitCode.OK;
            }
            return show(this, listing);
        }
    }

    @Command(name = "rm", aliases = "unset", mixinStandardHelpOptions = true, description = "Remove variables from both scopes.")
    static final class Rm extends AppCommand {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "The variables")
        List<String> names;

        @Override
        protected int run() {
            ObjectNode body = ApiClient.object();
            ArrayNode remove = body.putArray("remove");
            names.forEach(remove::add);
            JsonNode listing = api().call("PATCH", appPath("/environment"), body);
            if (!json) {
                say("Removed " + String.join(", ", names));
                return ExitCode.OK;
            }
            return show(this, listing);
        }
    }
}
