package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code slipway apps}: list (the default), create, link. */
@Command(name = "apps", mixinStandardHelpOptions = true, description = "List your apps (create, link: see below).",
        subcommands = {AppsCommand.ListApps.class, AppsCommand.Create.class, AppsCommand.Link.class})
final class AppsCommand extends BaseCommand {
    @Override
    protected int run() {
        return list(this);
    }

    static int list(BaseCommand c) {
        ArrayNode all = c.api().getAll("/apps?limit=100", "apps");
        if (c.json) {
            ObjectNode out = ApiClient.object();
            out.set("apps", all);
            c.print(out);
            return ExitCode.OK;
        }
        if (all.isEmpty()) {
            c.say("No apps yet: slipway apps create \"My Shop\"");
        }
        int[] w = {24, 28, 16};
        c.say(row(w, "APP", "NAME", "FRAMEWORK", "UPDATED"));
        for (JsonNode a : all) {
            c.say(row(w, a.path("id").asText(), a.path("name").asText(), a.path("framework").asText(null), when(a.path("updatedAt").asText(null))));
        }
        return ExitCode.OK;
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List the apps your token reaches.")
    static final class ListApps extends BaseCommand {
        @Override
        protected int run() {
            return list(this);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an app; its id is the name's slug unless --id says.")
    static final class Create extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The app's name, e.g. \"My Shop\"")
        String name;

        @Option(names = "--id", paramLabel = "ID", description = "The app id ([a-z][a-z0-9-]{1,39}; default: from the name)")
        String id;

        @Option(names = "--link", description = "Also write .slipway-app here, so commands in this folder work on it")
        boolean link;

        @Override
        protected int run() throws IOException {
            ObjectNode body = ApiClient.object().put("name", name);
            if (id != null) {
                body.put("id", id);
            }
            JsonNode app = api().call("POST", "/apps", body);
            if (link) {
                writeAppFile(io.cwd(), app.path("id").asText());
            }
            if (json) {
                print(app);
            } else {
                say("Created " + app.path("id").asText() + (link ? " (linked to this folder)" : ""));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true, description = "Make APP this folder's app: writes .slipway-app here.")
    static final class Link extends BaseCommand {
        @Parameters(paramLabel = "APP", description = "The app id")
        String app;

        @Override
        protected int run() throws IOException {
            JsonNode a = api().get("/apps/" + seg(app)); // 404 when it does not exist (or the token does not reach it)
            Path file = writeAppFile(io.cwd(), a.path("id").asText());
            if (json) {
                print(ApiClient.object().put("app", a.path("id").asText()).put("file", file.toString()));
            } else {
                say("This folder now deploys " + a.path("id").asText() + " (" + file + ")");
            }
            return ExitCode.OK;
        }
    }

    static Path writeAppFile(Path dir, String appId) throws IOException {
        Path f = dir.resolve(Settings.APP_FILE);
        Files.writeString(f, appId + "\n", StandardCharsets.UTF_8);
        return f;
    }
}
