package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.json.Json;

import java.time.Instant;

/** What the API shows of a preview and the alias its deployments moved. */
final class PreviewView {
    private PreviewView() {
    }

    /** @param now whether it has expired is judged at this time */
    static ObjectNode of(Previews.Live live, SiteUrls urls, Instant now) {
        Preview p = live.preview();
        ObjectNode n = Json.object();
        n.put("name", p.name());
        n.put("appId", p.appId());
        urls.previewUrl(p.appId(), p.name()).ifPresent(u -> n.put("url", u));
        n.put("status", live.alias().isPresent() ? "live" : "deploying");
        live.alias().ifPresent(x -> {
            n.put("releaseId", x.releaseId());
            n.put("aliasVersion", x.version());
            n.put("deploymentId", x.deploymentId());
            n.put("since", x.updatedAt().toString());
        });
        n.put("expiresAt", p.expiresAt().toString());
        n.put("expired", !p.expiresAt().isAfter(now));
        n.put("protected", p.isProtected());
        if (p.tokenIssuedAt() != null) {
            n.put("tokenIssuedAt", p.tokenIssuedAt().toString());
        }
        n.put("ref", p.ref());
        n.put("lastDeploymentId", p.lastDeploymentId());
        n.put("createdAt", p.createdAt().toString());
        n.put("createdBy", p.createdBy());
        n.put("updatedAt", p.updatedAt().toString());
        return n;
    }
}
