package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code slipway tokens}: list (the default), create, revoke. Needs an admin token for every app. */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "List API tokens, never their secrets (create, revoke: see below).",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Create.class, TokensCommand.Revoke.class})
final class TokensCommand extends BaseCommand {
    @Override
    protected int run() {
        return list(this);
    }

    static int list(BaseCommand c) {
        JsonNode r = c.api().get("/tokens");
        if (c.json) {
            c.print(r);
            return ExitCode.OK;
        }
        int[] w = {26, 20, 9, 24, 20};
        c.say(row(w, "ID", "NAME", "ROLE", "APPS", "EXPIRES", "STATE"));
        for (JsonNode t : r.path("tokens")) {
            List<String> apps = new ArrayList<>();
            if (t.path("apps").isArray()) {
                t.path("apps").forEach(a -> apps.add(a.asText()));
            } else {
                apps.add(t.path("apps").asText("*"));
            }
            String state = t.hasNonNull("revokedAt") ? "revoked"
                    : expired(t.path("expiresAt").asText("")) ? "expired" : "active";
            c.say(row(w, t.path("tokenId").asText(), t.path("name").asText(), t.path("role").asText(), String.join(",", apps),
                    when(t.path("expiresAt").asText(null)), state));
        }
        return ExitCode.OK;
    }

    private static boolean expired(String expiresAt) {
        try {
            return !java.time.Instant.parse(expiresAt).isAfter(java.time.Instant.now());
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List tokens (admin).")
    static final class ListTokens extends BaseCommand {
        @Override
        protected int run() {
            return list(this);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a token for a tool or a person; its secret is printed once, on stdout.",
                    "Roles: viewer, deployer, admin. Without --app it reaches every app (\"*\")."})
    static final class Create extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "What holds it, e.g. ci or lovable-sync")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", required = true, description = "viewer, deployer or admin")
        String role;

        @Option(names = {"-a", "--app"}, paramLabel = "APP", description = "An app it may reach; repeat for more (default: every app)")
        List<String> apps;

        @Option(names = "--expires", paramLabel = "TIME", description = "ISO-8601 expiry, e.g. 2027-03-01T00:00:00Z (default: 90 days, at most a year)")
        String expiresAt;

        @Override
        protected int run() {
            ObjectNode body = ApiClient.object().put("name", name).put("role", role);
            if (apps == null || apps.isEmpty()) {
                body.put("apps", "*");
            } else {
                ArrayNode a = body.putArray("apps");
                apps.forEach(a::add);
            }
            if (expiresAt != null) {
                body.put("expiresAt", expiresAt);
            }
            JsonNode t = api().call("POST", "/tokens", body);
            if (json) {
                print(t);
            } else {
                io.err().println("Token " + t.path("tokenId").asText() + " (" + t.path("role").asText() + ", expires "
                        + when(t.path("expiresAt").asText()) + "); its secret, shown this once:");
                io.out().println(t.path("token").asText());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token at once.")
    static final class Revoke extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The token id (tokens list)")
        String tokenId;

        @Override
        protected int run() {
            JsonNode t = api().call("DELETE", "/tokens/" + seg(tokenId), null);
            if (json) {
                print(t);
            } else {
                say("Revoked " + t.path("tokenId").asText(tokenId) + " (" + t.path("name").asText() + ")");
            }
            return ExitCode.OK;
        }
    }
}
