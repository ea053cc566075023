package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.auth.Principal;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.json.Json;

/** What the API shows of a deployment (its list, its page, and inside preview answers). */
final class DeploymentView {
    private DeploymentView() {
    }

    static ObjectNode of(Deployment d, SiteUrls urls) {
        ObjectNode n = Json.MAPPER.valueToTree(d);
        n.remove("version");
        n.remove("appId");
        n.remove("id");
        ObjectNode out = Json.object();
        out.put("deploymentId", d.id());
        out.put("appId", d.appId());
        out.setAll(n);
        // What started it: a token (id and name), a deploy hook, a GitHub delivery or the admin token.
        out.set("startedBy", Principal.describe(d.startedBy()));
        if (d.status() == Deployment.Status.SUCCEEDED) {
            // Where it went live: the preview's host for a preview deployment, else the app's.
            (d.target() instanceof DeployTarget.Preview p ? urls.previewUrl(d.appId(), p.name())
                    : urls.appUrl(d.appId())).ifPresent(u -> out.put("url", u));
        }
        if (d.releaseId() != null) {
            urls.releaseUrl(d.appId(), d.releaseId()).ifPresent(u -> out.put("releaseUrl", u));
        }
        ObjectNode links = out.putObject("links");
        String self = "/apps/" + d.appId() + "/deployments/" + d.id();
        links.put("self", self);
        links.put("logs", self + "/logs");
        links.put("app", "/apps/" + d.appId());
        return out;
    }
}
