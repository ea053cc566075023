package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A deployment of production or of a named preview, followed to its end: steps as they go, the build log as it grows,
 * then the URL. Exit code 1 when the deployment fails, with its failure on stderr.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Build a commit and make it production (or a preview with --preview NAME), following its steps and build log.",
                "Exits 1 when the deployment fails, printing why."})
final class DeployCommand extends AppCommand {
    @Option(names = "--preview", paramLabel = "NAME", description = "Deploy to the preview NAME (its own URL, an expiry) instead of production")
    String preview;

    @Option(names = "--ref", paramLabel = "REF", description = "Branch, tag or commit to build (default: main)")
    String ref;

    @Option(names = "--release", paramLabel = "ID", description = "Deploy an existing READY release to production, without a build")
    String release;

    @Mixin
    PreviewOptions previewOptions;

    @Mixin
    FollowOptions follow;

    @Override
    protected int run() {
        String app = app();
        ApiClient api = api();
        if (preview != null) {
            if (release != null) {
                throw CliFailure.usage("--release deploys production only; a preview builds a ref (--ref)");
            }
            ObjectNode body = previewOptions.applyTo(ApiClient.object().put("ref", ref == null ? "main" : ref).put("name", preview));
            return createPreview(this, api, app, body, follow);
        }
        if (previewOptions.given()) {
            throw CliFailure.usage("--ttl-hours and --protected are for previews (--preview NAME)");
        }
        ObjectNode body = ApiClient.object();
        if (ref != null) {
            body.put("ref", ref);
        }
        if (release != null) {
            body.put("releaseId", release);
        }
        JsonNode started = api.call("POST", "/apps/" + app + "/deployments", body);
        return follow(this, api, app, started, null, follow);
    }

    /** POST …/previews and follow its deployment; the token of a protected preview is shown once. */
    static int createPreview(BaseCommand c, ApiClient api, String app, ObjectNode body, FollowOptions how) {
        JsonNode created = api.call("POST", "/apps/" + app + "/previews", body);
        if (created.hasNonNull("token")) {
            c.note("Preview token (shown once, keep it): " + created.path("token").asText());
        }
        ObjectNode wrapper = created.deepCopy();
        return follow(c, api, app, created.path("deployment"), wrapper, how);
    }

    /**
     * Follows {@code started} to its end and reports it. {@code wrapper} (a preview's answer) carries the deployment
     * under "deployment" in the --json output; null: the deployment is the output.
     */
    static int follow(BaseCommand c, ApiClient api, String app, JsonNode started, ObjectNode wrapper, FollowOptions how) {
        String id = started.path("deploymentId").asText();
        if (how.detach) {
            if (c.json) {
                c.print(wrapper != null ? wrapper : started);
            } else {
                c.say("Started deployment " + id + "; follow it with: slipway logs " + id);
            }
            return ExitCode.OK;
        }
        c.note("Deploying " + app + (wrapper != null ? " preview " + wrapper.path("preview").path("name").asText() : "")
                + " (deployment " + id + ")");
        JsonNode d = new DeploymentWatch(api, app, c.io.err(), !c.json, !how.noLogs && !c.json).await(id);
        boolean ok = "SUCCEEDED".equals(d.path("status").asText());
        if (c.json) {
            if (wrapper != null) {
                wrapper.set("deployment", d);
                wrapper.set("preview", api.get("/apps/" + app + "/previews/" + BaseCommand.seg(wrapper.path("preview").path("name").asText())));
            }
            c.print(wrapper != null ? wrapper : d);
        } else if (ok) {
            if (d.has("promoted") && !d.path("promoted").asBoolean(true)) {
                c.say("Staged release " + d.path("releaseId").asText() + " at " + d.path("releaseUrl").asText("")
                        + (d.hasNonNull("note") ? " — " + d.path("note").asText() : ""));
            } else {
                c.say("Live: " + d.path("url").asText(d.path("releaseUrl").asText("")) + "  (release " + d.path("releaseId").asText()
                        + (d.path("reusedRelease").asBoolean() ? ", reused: nothing to build" : "") + ")");
            }
        }
        if (!ok) {
            // one line: the reason's first (the build log's last lines, which follow it, were printed above or are in `logs`)
            String reason = d.path("failure").asText("no reason given").strip().lines().findFirst().orElse("no reason given");
            c.io.err().println("slipway: deployment " + id + " " + d.path("status").asText().toLowerCase(java.util.Locale.ROOT)
                    + ": " + reason + " (build log: slipway logs " + id + ")");
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }
}
