package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.json.Json;

import java.util.Optional;

/**
 * What the API shows of a release, in one place: the history list ({@code GET /apps/{app}/releases})
 * and {@code GET …/releases/{id}} (and finalize) answer the same fields.
 */
final class ReleaseView {
    private ReleaseView() {
    }

    /** @param production the app's production alias (read once per page), to name the aliases pointing here */
    static ObjectNode of(Release r, Optional<Alias> production, SiteUrls urls) {
        ObjectNode out = Json.object();
        out.put("releaseId", r.id());
        out.put("id", r.id());
        out.put("appId", r.appId());
        out.put("status", r.status().name());
        out.put("source", r.source());
        out.put("commit", r.commit());
        out.put("message", r.message());
        out.put("files", r.fileCount());
        out.put("bytes", r.totalBytes());
        out.put("createdAt", r.createdAt() == null ? null : r.createdAt().toString());
        if (r.readyAt() != null) {
            out.put("readyAt", r.readyAt().toString());
        }
        out.put("deployedBy", r.deployedBy());
        if (r.deploymentId() != null) {
            out.put("deploymentId", r.deploymentId());
        }
        if (r.server() != null) {
            ObjectNode server = out.putObject("server");
            server.put("framework", r.server().framework());
            server.put("nodeMajor", r.server().nodeMajor());
            server.put("entry", r.server().entry());
            server.put("sha256", r.server().sha256());
            server.put("zipBytes", r.server().zipBytes());
            server.put("unzippedBytes", r.server().unzippedBytes());
        }
        ArrayNode aliases = out.putArray("aliases");
        production.filter(a -> a.releaseId().equals(r.id())).ifPresent(a -> aliases.add(a.name()));
        if (r.status() == ReleaseStatus.READY) {
            urls.releaseUrl(r.appId(), r.id()).ifPresent(u -> out.put("releaseUrl", u));
        }
        ObjectNode links = out.putObject("links");
        String self = "/apps/" + r.appId() + "/releases/" + r.id();
        links.put("self", self);
        links.put("finalize", self + "/finalize");
        links.put("deploy", "/apps/" + r.appId() + "/deployments");
        links.put("app", "/apps/" + r.appId());
        if (r.server() != null) {
            links.put("logs", self + "/logs");
        }
        return out;
    }
}
