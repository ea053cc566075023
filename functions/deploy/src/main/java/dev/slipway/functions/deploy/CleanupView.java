package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.cleanup.CleanupService;
import dev.slipway.shared.json.Json;

import java.util.Locale;

/** What a cleanup run answers (POST /cleanup, the scheduled run's result; the benchmark prints it too). */
public final class CleanupView {
    private CleanupView() {
    }

    public static ObjectNode of(CleanupService.Result r) {
        ObjectNode n = Json.object();
        n.put("previewsExpired", r.previewsExpired());
        n.put("releasesExamined", r.releasesExamined());
        n.put("releasesRemoved", r.releasesRemoved());
        ObjectNode kept = n.putObject("releasesKept");
        r.releasesKept().forEach((k, v) -> kept.put(k.name().toLowerCase(Locale.ROOT), v));
        n.put("filesRemoved", r.filesRemoved());
        n.put("bytesRemoved", r.bytesRemoved());
        n.put("errors", r.errors());
        n.put("complete", r.complete());
        n.put("candidatesLeft", r.candidatesLeft());
        n.put("tookMs", r.tookMs());
        return n;
    }
}
