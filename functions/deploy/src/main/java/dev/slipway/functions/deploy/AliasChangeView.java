package dev.slipway.functions.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.json.Json;

/** What the API shows of a move of production (rollback, promote, pin, a preview's promotion). */
final class AliasChangeView {
    private AliasChangeView() {
    }

    static ObjectNode of(ProductionAlias.Change c) {
        ObjectNode n = Json.object();
        n.put("previous", c.before() == null ? null : c.before().releaseId());
        n.put("current", c.after().releaseId());
        n.put("pinned", c.after().pinned());
        n.put("aliasVersion", c.after().version());
        n.put("tookMs", c.tookMs());
        if (!c.routed()) {
            n.put("warning", "production moved, but the edge could not be updated yet; it follows on the next change or retry");
        }
        return n;
    }
}
