package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code slipway previews}: list (the default), create, delete, extend. */
@Command(name = "previews", mixinStandardHelpOptions = true, description = "List the app's previews (create, delete, extend: see below).",
        subcommands = {PreviewsCommand.ListPreviews.class, PreviewsCommand.Create.class, PreviewsCommand.Delete.class,
                PreviewsCommand.Extend.class})
final class PreviewsCommand extends AppCommand {
    @Override
    protected int run() {
        return list(this);
    }

    static int list(AppCommand c) {
        ArrayNode all = c.api().getAll("/apps/" + c.app() + "/previews?limit=100", "previews");
        if (c.json) {
            ObjectNode out = ApiClient.object();
            out.set("previews", all);
            c.print(out);
            return ExitCode.OK;
        }
        if (all.isEmpty()) {
            c.say("No previews: slipway deploy --preview NAME --ref BRANCH");
            return ExitCode.OK;
        }
        int[] w = {24, 10, 20, 10};
        c.say(row(w, "NAME", "STATUS", "EXPIRES", "PROTECTED", "URL"));
        for (JsonNode p : all) {
            c.say(row(w, p.path("name").asText(), p.path("expired").asBoolean() ? "expired" : p.path("status").asText(),
                    when(p.path("expiresAt").asText(null)), p.path("protected").asBoolean() ? "yes" : "no", p.path("url").asText(null)));
        }
        return ExitCode.OK;
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List the app's previews.")
    static final class ListPreviews extends AppCommand {
        @Override
        protected int run() {
            return list(this);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Build REF as a preview at its own URL and follow it (the same as deploy --preview).")
    static final class Create extends AppCommand {
        @Parameters(paramLabel = "REF", description = "Branch, tag or commit to build")
        String ref;

        @Option(names = "--name", paramLabel = "NAME", description = "The preview's name (default: the ref as a slug)")
        String name;

        @Mixin
        PreviewOptions previewOptions;

        @Mixin
        FollowOptions follow;

        @Override
        protected int run() {
            ObjectNode body = ApiClient.object().put("ref", ref);
            if (name != null) {
                body.put("name", name);
            }
            return DeployCommand.createPreview(this, api(), app(), previewOptions.applyTo(body), follow);
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
            description = "Remove a preview now: its URL stops answering; its files go with the next cleanup.")
    static final class Delete extends AppCommand {
        @Parameters(paramLabel = "NAME", description = "The preview")
        String name;

        @Override
        protected int run() {
            JsonNode r = api().call("DELETE", appPath("/previews/" + seg(name)), null);
            if (json) {
                print(r);
            } else {
                say("Deleted preview " + name);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "extend", mixinStandardHelpOptions = true, description = "Move a preview's expiry: --hours from now, or --until a time.")
    static final class Extend extends AppCommand {
        @Parameters(paramLabel = "NAME", description = "The preview")
        String name;

        @Option(names = "--hours", paramLabel = "H", description = "Expire H hours from now (default 72)")
        Long hours;

        @Option(names = "--until", paramLabel = "TIME", description = "Expire at this ISO-8601 instant, e.g. 2027-01-31T18:00:00Z")
        String until;

        @Override
        protected int run() {
            Instant expiresAt;
            if (until != null && hours != null) {
                throw CliFailure.usage("give --hours or --until, not both");
            }
            if (until != null) {
                try {
                    expiresAt = Instant.parse(until);
                } catch (DateTimeParseException e) {
                    throw CliFailure.usage("--until " + until + " is not an ISO-8601 instant like 2027-01-31T18:00:00Z");
                }
            } else {
                expiresAt = Instant.now().plus(Duration.ofHours(hours == null ? 72 : hours));
            }
            JsonNode r = api().call("PATCH", appPath("/previews/" + seg(name)), ApiClient.object().put("expiresAt", expiresAt.toString()));
            if (json) {
                print(r);
            } else {
                say("Preview " + name + " now expires at " + when(r.path("expiresAt").asText(expiresAt.toString())));
            }
            return ExitCode.OK;
        }
    }
}
