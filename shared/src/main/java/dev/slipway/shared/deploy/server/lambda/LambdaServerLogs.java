package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.env.EnvScope;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A release's server log in AWS: the app function's log group, the streams of the release's
 * version (Lambda names them {@code yyyy/mm/dd/[version]…}), oldest first. The API redacts the app's
 * values (RedactedServerLogs).
 */
public final class LambdaServerLogs implements ServerLogs {
    private static final int STREAMS = 50;

    private final CloudWatchLogsClient logs;
    private final LambdaClient lambda;
    private final AppServerSettings settings;

    public LambdaServerLogs(CloudWatchLogsClient logs, LambdaClient lambda, AppServerSettings settings) {
        this.logs = logs;
        this.lambda = lambda;
        this.settings = settings;
    }

    @Override
    public Page read(String appId, String releaseId, Instant since, int limit) {
        AppFunctionNames names = settings.names(appId);
        Set<String> versions = new TreeSet<>();
        for (EnvScope scope : EnvScope.values()) {
            try {
                versions.add(lambda.getAlias(r -> r.functionName(names.function()).name(AppFunctionNames.alias(scope, releaseId)))
                        .functionVersion());
            } catch (software.amazon.awssdk.services.lambda.model.ResourceNotFoundException e) {
                // never published for that scope
            }
        }
        if (versions.isEmpty()) {
            return new Page(List.of(), null);
        }
        List<String> streams = new ArrayList<>();
        try {
            for (LogStream s : logs.describeLogStreams(r -> r.logGroupName(names.logGroup()).orderBy(OrderBy.LAST_EVENT_TIME)
                    .descending(true).limit(STREAMS)).logStreams()) {
                if (versions.stream().anyMatch(v -> s.logStreamName().contains("[" + v + "]"))) {
                    streams.add(s.logStreamName());
                }
            }
        } catch (ResourceNotFoundException e) {
            return new Page(List.of(), null); // nothing logged yet
        }
        if (streams.isEmpty()) {
            return new Page(List.of(), since);
        }
        List<Line> lines = new ArrayList<>();
        long start = since == null ? 0 : since.toEpochMilli();
        for (FilteredLogEvent e : logs.filterLogEvents(r -> r.logGroupName(names.logGroup()).logStreamNames(streams)
                .startTime(start).limit(limit)).events()) {
            lines.add(new Line(Instant.ofEpochMilli(e.timestamp()), e.message().stripTrailing()));
        }
        Instant next = lines.isEmpty() ? since : lines.get(lines.size() - 1).at().plusMillis(1);
        return new Page(lines, next);
    }
}
