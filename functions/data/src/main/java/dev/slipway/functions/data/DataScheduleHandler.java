package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.data.preview.PreviewDatabases;

import java.util.Map;

/**
 * The backups' schedule (hourly, EventBridge Scheduler; locally the runtime's timer): per linked app,
 * abandoned backups become FAILED, due backups start (daily unless the app's policy says otherwise),
 * and retention removes what the policy no longer keeps; the databases of removed previews are dropped. With
 * {@code {"previewDatabasesOf": appId}} (a preview's removal invokes it at once) only that app's removed previews' databases.
 */
public final class DataScheduleHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Backups backups;
    private final DataRecords records;
    private final PreviewDatabases previewDatabases;

    public DataScheduleHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public DataScheduleHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private DataScheduleHandler(DataFunctionServices services) {
        this.backups = services.backups();
        this.records = services.records();
        this.previewDatabases = services.previewDatabases();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        if (input != null && input.get("previewDatabasesOf") instanceof String appId) {
            // a preview was removed (the previews API or the cleanup asks, asynchronously): its database goes now
            PreviewDatabases.SweepRun dropped = previewDatabases.sweep(appId);
            return Map.of("previewDatabasesDropped", dropped.dropped(), "previewDatabasesFailed", dropped.failed());
        }
        Backups.ScheduleRun run = backups.scheduled(records.appsWith("link"));
        PreviewDatabases.SweepRun dropped = previewDatabases.sweepAll();
        return Map.of("started", run.started(), "abandoned", run.abandoned(), "expired", run.expired(),
                "previewDatabasesDropped", dropped.dropped(), "previewDatabasesFailed", dropped.failed());
    }
}
