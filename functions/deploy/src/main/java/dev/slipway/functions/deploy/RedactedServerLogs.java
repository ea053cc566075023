package dev.slipway.functions.deploy;

import dev.slipway.shared.deploy.build.LogRedactor;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A release server's log as the API answers it: every value of the app's variables (each scope) redacted,
 * whatever the log store did already (CloudWatch keeps what the function printed as it printed it).
 */
final class RedactedServerLogs {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private final ServerLogs logs;
    private final AppEnvironment environment;

    RedactedServerLogs(ServerLogs logs, AppEnvironment environment) {
        this.logs = logs;
        this.environment = environment;
    }

    ServerLogs.Page read(String appId, String releaseId, Instant since, int limit) {
        Map<String, String> values = new TreeMap<>();
        for (EnvScope scope : EnvScope.values()) {
            environment.values(appId, scope).forEach((k, v) -> values.put(k, v));
        }
        LogRedactor redactor = new LogRedactor(values);
        ServerLogs.Page page = logs.read(appId, releaseId, since, Math.max(1, Math.min(limit, MAX_LIMIT)));
        return new ServerLogs.Page(page.lines().stream().map(l -> new ServerLogs.Line(l.at(), redactor.redact(l.text()))).toList(),
                page.next());
    }
}
