package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Production to a chosen READY release or to a preview's release, no build; or production unpinned. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Make a release production without a build (a release id, or a preview's), or unpin production.",
                "--preview NAME takes the preview's release when its environment equals production's; with --rebuild its commit",
                "is built for production otherwise. --unpin lets deployments promote again after a rollback."})
final class PromoteCommand extends AppCommand {
    @Parameters(paramLabel = "RELEASE", arity = "0..1", description = "The READY release to serve")
    String release;

    @Option(names = "--preview", paramLabel = "NAME", description = "Promote the preview NAME's release")
    String preview;

    @Option(names = "--rebuild", description = "With --preview: when its environment differs, build its commit for production")
    boolean rebuild;

    @Option(names = "--unpin", description = "Unpin production (after a rollback), so deployments promote again")
    boolean unpin;

    @Mixin
    FollowOptions follow; // for --rebuild's deployment

    @Override
    protected int run() {
        int given = (release != null ? 1 : 0) + (preview != null ? 1 : 0);
        if (given > 1 || (given == 0 && !unpin)) {
            throw CliFailure.usage("give a RELEASE, or --preview NAME, or --unpin");
        }
        ApiClient api = api();
        JsonNode r;
        if (preview != null) {
            r = api.call("POST", appPath("/previews/" + seg(preview) + "/promote"), ApiClient.object().put("rebuild", rebuild));
            if (r.hasNonNull("deploymentId")) { // 202: a production build of the preview's commit
                return DeployCommand.follow(this, api, app(), r, null, follow);
            }
        } else if (release != null) {
            r = api.call("POST", appPath("/promote"), ApiClient.object().put("releaseId", release));
        } else {
            r = null;
        }
        JsonNode unpinned = unpin ? api.call("POST", appPath("/unpin"), null) : null;
        if (json) {
            ObjectNode out = ApiClient.object();
            if (r != null) {
                out.set("promoted", r);
            }
            if (unpinned != null) {
                out.set("unpinned", unpinned);
            }
            print(out);
            return ExitCode.OK;
        }
        if (r != null) {
            JsonNode p = r.has("production") ? r.path("production") : r;
            say("Production: " + p.path("previous").asText("-") + " → " + p.path("current").asText()
                    + (p.path("pinned").asBoolean() && !unpin ? " (pinned)" : ""));
        }
        if (unpinned != null) {
            say("Production unpinned: deployments promote again");
        }
        return ExitCode.OK;
    }
}
