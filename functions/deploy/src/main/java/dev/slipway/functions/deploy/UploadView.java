package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.upload.DirectUploadService;
import dev.slipway.shared.deploy.upload.UploadUrls;
import dev.slipway.shared.json.Json;

/** What the direct-upload routes answer of a STAGED upload: its hashes still needed and their PUTs. */
final class UploadView {
    private UploadView() {
    }

    /** POST /apps/{app}/releases. */
    static ObjectNode created(DirectUploadService.Staged s) {
        Release r = s.release();
        ObjectNode out = Json.object();
        out.put("releaseId", r.id());
        out.put("appId", r.appId());
        out.put("status", r.status().name());
        out.put("files", r.fileCount());
        ArrayNode req = out.putArray("required");
        s.required().forEach(req::add);
        addUploads(out, s.uploads());
        ObjectNode links = out.putObject("links");
        String self = self(r.appId(), r.id());
        links.put("self", self);
        links.put("finalize", self + "/finalize");
        links.put("deploy", "/apps/" + r.appId() + "/deployments");
        links.put("app", "/apps/" + r.appId());
        return out;
    }

    /** GET …/releases/{id}/uploads?cursor=. */
    static ObjectNode page(UploadUrls u) {
        ObjectNode out = Json.object();
        out.put("releaseId", u.releaseId());
        addUploads(out, u);
        return out;
    }

    static String self(String appId, String releaseId) {
        return "/apps/" + appId + "/releases/" + releaseId;
    }

    private static void addUploads(ObjectNode out, UploadUrls u) {
        ArrayNode uploads = out.putArray("uploads");
        for (UploadUrls.Upload put : u.uploads()) {
            ObjectNode n = uploads.addObject();
            n.put("sha256", put.sha256());
            n.put("url", put.url());
            n.put("method", "PUT");
            ObjectNode headers = n.putObject("headers");
            put.headers().forEach(headers::put);
        }
        if (u.expiresAt() != null) {
            out.put("uploadsExpireAt", u.expiresAt().toString());
        }
        if (u.nextCursor() != null) {
            out.put("nextUploadsCursor", u.nextCursor());
            out.put("nextUploads", self(u.appId(), u.releaseId()) + "/uploads?cursor=" + u.nextCursor());
        }
    }
}
