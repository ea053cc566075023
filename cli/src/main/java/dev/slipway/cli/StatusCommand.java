package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** What visitors get now and what happened lately: production's release, URL and pin, the last deployments. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show production (its release, URL, whether it is pinned) and the latest deployments.")
final class StatusCommand extends AppCommand {
    @Override
    protected int run() {
        ApiClient api = api();
        JsonNode app = api.get(appPath(""));
        JsonNode deployments = api.get(appPath("/deployments?limit=5")).path("deployments");
        if (json) {
            ObjectNode out = ApiClient.object();
            out.put("app", app.path("id").asText());
            out.set("production", app.path("production"));
            out.set("deployments", deployments);
            print(out);
            return ExitCode.OK;
        }
        JsonNode p = app.path("production");
        say(app.path("id").asText() + " (" + app.path("name").asText() + ")");
        if (p.isObject()) {
            say("  production  " + p.path("releaseId").asText() + " since " + when(p.path("since").asText(null))
                    + (p.path("pinned").asBoolean() ? "  PINNED (slipway promote --unpin)" : ""));
            say("  url         " + p.path("url").asText("-"));
        } else {
            say("  production  none yet: slipway deploy");
        }
        if (!deployments.isEmpty()) {
            say("  latest deployments:");
            int[] w = {26, 10, 22, 20};
            for (JsonNode d : deployments) {
                say("    " + row(w, d.path("deploymentId").asText(), d.path("status").asText(), d.path("target").asText(),
                        when(d.path("createdAt").asText(null)), d.path("releaseId").asText(null)));
            }
        }
        return ExitCode.OK;
    }
}
