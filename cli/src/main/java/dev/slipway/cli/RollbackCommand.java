package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Production back to an earlier READY release, no build; production stays pinned until {@code --unpin}-ed by promote. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Move production back to an earlier release (default: the one it served before) — no build, instant.",
                "Production stays pinned afterwards: deployments stage but do not promote until `slipway promote --unpin`."})
final class RollbackCommand extends AppCommand {
    @Parameters(paramLabel = "RELEASE", arity = "0..1", description = "The release id to return to (default: the previous one)")
    String release;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why: kept in the audit trail")
    String reason;

    @Override
    protected int run() {
        ObjectNode body = ApiClient.object();
        if (release != null) {
            body.put("releaseId", release);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode r = api().call("POST", appPath("/rollback"), body);
        if (json) {
            print(r);
        } else {
            say("Production: " + r.path("previous").asText("-") + " → " + r.path("current").asText()
                    + (r.path("pinned").asBoolean() ? " (pinned)" : "") + " in " + r.path("tookMs").asLong() + " ms");
        }
        return ExitCode.OK;
    }
}
