package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A deployment's build log (default: the app's latest deployment), or with {@code --server} a release's server log
 * (default: production's release). {@code --follow} keeps printing until the deployment ends / Ctrl-C.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a deployment's build log (default: the latest), or a release's server log (--server).",
                "--server reads a full-stack release's log (default: production's). Secrets are redacted by the API."})
final class LogsCommand extends AppCommand {
    @Parameters(paramLabel = "DEPLOYMENT", arity = "0..1", description = "The deployment id (default: the latest)")
    String deployment;

    @Option(names = {"-f", "--follow"}, description = "Keep printing: a running deployment until it ends, a server log until Ctrl-C")
    boolean follow;

    @Option(names = "--server", description = "The server log of a release instead of a build log")
    boolean server;

    @Option(names = "--release", paramLabel = "ID", description = "With --server: the release (default: production's)")
    String release;

    @Option(names = "--limit", paramLabel = "N", description = "With --server: lines per page (1–1000, default 100)")
    Integer limit;

    @Override
    protected int run() {
        ApiClient api = api();
        String app = app();
        if (server || release != null) {
            return serverLog(api, app);
        }
        String id = deployment;
        if (id == null) {
            JsonNode list = api.get("/apps/" + app + "/deployments?limit=1");
            if (list.path("deployments").isEmpty()) {
                throw new CliFailure(ExitCode.NOT_FOUND, app + " has no deployments yet");
            }
            id = list.path("deployments").get(0).path("deploymentId").asText();
        }
        String path = "/apps/" + app + "/deployments/" + seg(id);
        if (follow && !json) {
            JsonNode d = new DeploymentWatch(api, app, io.out(), false, true).await(id);
            return "SUCCEEDED".equals(d.path("status").asText()) || "RUNNING".equals(d.path("status").asText()) ? ExitCode.OK : ExitCode.FAILED;
        }
        String log = api.getText(path + "/logs");
        if (json) {
            print(ApiClient.object().put("deploymentId", id).put("log", log));
        } else {
            io.out().print(log.endsWith("\n") || log.isEmpty() ? log : log + "\n");
        }
        return ExitCode.OK;
    }

    private int serverLog(ApiClient api, String app) {
        String rel = release;
        if (rel == null) {
            JsonNode production = api.get("/apps/" + app).path("production");
            if (!production.isObject()) {
                throw new CliFailure(ExitCode.NOT_FOUND, app + " has no production release yet");
            }
            rel = production.path("releaseId").asText();
        }
        String base = "/apps/" + app + "/releases/" + seg(rel) + "/logs?limit=" + (limit == null ? 100 : limit);
        String since = null;
        while (true) {
            JsonNode page = api.get(base + (since == null ? "" : "&since=" + seg(since)));
            if (json) {
                print(page); // one page: the answer's "next" is the --since of the next; with --follow one line per page
                if (!follow) {
                    return ExitCode.OK;
                }
            } else {
                for (JsonNode l : page.path("lines")) {
                    io.out().println(l.path("at").asText() + "  " + l.path("text").asText());
                }
                io.out().flush();
            }
            if (page.hasNonNull("next")) {
                since = page.path("next").asText();
            }
            boolean more = page.path("lines").size() > 0 && page.hasNonNull("next");
            if (!follow && !more) {
                return ExitCode.OK;
            }
            if (!more) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExitCode.OK;
                }
            }
        }
    }
}
