package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.data.move.DatabaseMoves;

import java.util.Map;

/**
 * The data workflow's tasks (statemachines/data.asl.json): {@code {"step", "appId", "backupId" | "restoreId",
 * "error"?}}. Each is safe to run twice; a failure is thrown for the state machine's Catch.
 */
public final class DataStepsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Backups backups;
    private final DatabaseMoves moves;

    public DataStepsHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public DataStepsHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    DataStepsHandler(DataFunctionServices services) {
        this.backups = services.backups();
        this.moves = services.moves();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        String step = String.valueOf(input.get("step"));
        String app = String.valueOf(input.get("appId"));
        String backup = String.valueOf(input.get("backupId"));
        String restore = String.valueOf(input.get("restoreId"));
        try {
            switch (step) {
                case "Backup" -> backups.runBackup(app, backup);
                case "Verify" -> backups.verifyBackup(app, backup);
                case "MarkBackupFailed" -> backups.markFailed(app, backup, cause(input));
                case "Restore" -> backups.runRestore(app, restore);
                case "MarkRestoreFailed" -> backups.markRestoreFailed(app, restore, cause(input));
                case "Move" -> moves.run(app, String.valueOf(input.get("moveId")));
                case "MarkMoveFailed" -> moves.markFailed(app, String.valueOf(input.get("moveId")), cause(input));
                default -> throw new IllegalArgumentException("no data step " + step);
            }
        } catch (java.io.IOException | java.sql.SQLException e) {
            throw new DataStepException(step + " failed: " + e.getMessage(), e);
        }
        return Map.of("step", step, "done", true);
    }

    /** What the failed state said, as the Catch passed it ({@code {"Error","Cause"}}). */
    private static String cause(Map<String, Object> input) {
        Object error = input.get("error");
        if (error instanceof Map<?, ?> m) {
            Object cause = m.get("Cause");
            String text = cause == null ? String.valueOf(m.get("Error")) : String.valueOf(cause);
            try {
                var n = dev.slipway.shared.json.Json.parse(text);
                if (n.has("errorMessage")) {
                    return n.get("errorMessage").asText();
                }
            } catch (RuntimeException notJson) {
                // a plain message
            }
            return text;
        }
        return "failed";
    }

    /** A data step that failed: the state machine's Catch marks the job FAILED. */
    public static final class DataStepException extends RuntimeException {
        DataStepException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
