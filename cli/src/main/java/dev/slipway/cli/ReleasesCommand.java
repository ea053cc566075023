package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The app's releases, newest first: the ids {@code rollback} and {@code promote} take. */
@Command(name = "releases", mixinStandardHelpOptions = true,
        description = "List the app's releases, newest first, with what serves them: the ids rollback and promote take.")
final class ReleasesCommand extends AppCommand {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many (1–100, default ${DEFAULT-VALUE})")
    int limit;

    @Override
    protected int run() {
        JsonNode page = api().get(appPath("/releases?limit=" + limit));
        if (json) {
            print(page);
            return ExitCode.OK;
        }
        int[] w = {26, 20, 8, 12, 20};
        say(row(w, "RELEASE", "CREATED", "STATUS", "COMMIT", "SERVES", "MESSAGE"));
        for (JsonNode r : page.path("releases")) {
            List<String> aliases = new ArrayList<>();
            r.path("aliases").forEach(a -> aliases.add(a.isTextual() ? a.asText() : a.path("name").asText(a.toString())));
            String commit = r.path("commit").asText("");
            String message = r.path("message").asText("").strip().lines().findFirst().orElse("");
            say(row(w, r.path("id").asText(), when(r.path("createdAt").asText(null)), r.path("status").asText(),
                    commit.substring(0, Math.min(12, commit.length())), String.join(",", aliases),
                    message.length() > 60 ? message.substring(0, 60) + "…" : message));
        }
        return ExitCode.OK;
    }
}
