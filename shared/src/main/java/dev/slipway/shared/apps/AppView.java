package dev.slipway.shared.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

/** The JSON an API client sees for an app; also what audit events record as before/after. */
public final class AppView {
    private AppView() {
    }

    public static ObjectNode of(App app) {
        ObjectNode n = Json.object();
        n.put("id", app.id());
        n.put("name", app.name());
        // build: what a deploy uses; buildOverrides: what the owner set; detected: what import found.
        n.set("build", Json.MAPPER.valueToTree(app.effectiveBuild()));
        n.set("buildOverrides", Json.MAPPER.valueToTree(app.build()));
        n.put("framework", app.framework());
        n.set("detected", Json.MAPPER.valueToTree(app.detected()));
        // What the cleanup keeps of production's history (PATCH {"retainReleases": n}; null = the default).
        n.put("retainReleases", app.effectiveRetainReleases());
        n.put("createdAt", app.createdAt().toString());
        n.put("updatedAt", app.updatedAt().toString());
        n.put("version", app.version());
        n.putObject("links").put("self", "/apps/" + app.id());
        return n;
    }

    /** What the audit trail keeps: the owner-controlled fields, nothing derived. */
    public static ObjectNode audited(App app) {
        ObjectNode n = Json.object();
        n.put("name", app.name());
        n.set("build", Json.MAPPER.valueToTree(app.build()));
        if (app.framework() != null) {
            n.put("framework", app.framework());
            n.set("detected", Json.MAPPER.valueToTree(app.detected()));
        }
        if (app.retainReleases() != null) {
            n.put("retainReleases", app.retainReleases());
        }
        n.put("version", app.version());
        return n;
    }
}
