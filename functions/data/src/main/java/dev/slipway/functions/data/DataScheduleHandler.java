package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.backup.Backups;

import java.util.Map;

/**
 * The backups' schedule (hourly, EventBridge Scheduler; locally the runtime's timer): per linked app,
 * abandoned backups become FAILED, due backups start (daily unless the app's policy says otherwise),
 * and retention removes what the policy no longer keeps.
 */
public final class DataScheduleHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Backups backups;
    private final DataRecords records;

    public DataScheduleHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public DataScheduleHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private DataScheduleHandler(DataFunctionServices services) {
        this.backups = services.backups();
        this.records = services.records();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Backups.ScheduleRun run = backups.scheduled(records.appsWith("link"));
        return Map.of("started", run.started(), "abandoned", run.abandoned(), "expired", run.expired());
    }
}
