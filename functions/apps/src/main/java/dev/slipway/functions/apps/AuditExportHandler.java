package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.audit.AuditExport;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hourly export (EventBridge Scheduler): every app's audit events since its last export go to
 * S3 as a JSON Lines file plus a chained digest ({@link AuditExport}). The input is ignored. One
 * app failing (a broken chain refuses to export) does not stop the others; the run then fails so
 * the error shows in the function's metrics.
 */
public final class AuditExportHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final AppStore apps;
    private final AuditExport export;

    public AuditExportHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    public AuditExportHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private AuditExportHandler(AppsFunctionServices services) {
        this.apps = services.appStore();
        this.export = services.auditExport();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        int appsSeen = 0;
        int files = 0;
        List<String> failed = new ArrayList<>();
        String cursor = null;
        do {
            AppStore.AppPage page = apps.list(100, cursor);
            for (App app : page.apps()) {
                appsSeen++;
                try {
                    files += export.export(app.id()).files().size();
                } catch (RuntimeException e) {
                    failed.add(app.id());
                    if (context != null && context.getLogger() != null) {
                        context.getLogger().log("audit export of " + app.id() + " failed: " + e.getMessage() + "\n");
                    }
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        if (!failed.isEmpty()) {
            throw new IllegalStateException("audit export failed for " + failed.size() + " app(s): " + failed);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apps", appsSeen);
        out.put("files", files);
        return out;
    }

    /** A run's result as the API answers it. */
    static ObjectNode view(AuditExport.Result r) {
        ObjectNode body = Json.object();
        body.put("appId", r.appId());
        body.put("exportedSeq", r.exportedSeq());
        body.put("digestKey", r.digestKey());
        var files = body.putArray("files");
        for (AuditExport.ExportedFile f : r.files()) {
            files.add(Json.MAPPER.valueToTree(f));
        }
        return body;
    }
}
