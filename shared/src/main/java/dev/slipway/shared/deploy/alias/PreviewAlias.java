package dev.slipway.shared.deploy.alias;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The one place a preview's alias moves (a preview deployment's promotion) and its router entry is
 * written. Like production: one compare-and-set on the alias version with its audit events and
 * history item, then the router pointed at what the alias and the preview say <em>now</em>.
 */
public final class PreviewAlias {
    private final AliasStore aliases;
    private final PreviewStore previews;
    private final AuditHeads audit;
    private final Router router;
    private final Clock clock;

    public PreviewAlias(DeployStores stores, Router router, Clock clock) {
        this.aliases = stores.aliases();
        this.previews = stores.previews();
        this.audit = stores.audit();
        this.router = router;
        this.clock = clock;
    }

    /**
     * Points preview {@code name} at {@code releaseId} and ends deployment {@code succeeded} (still
     * at {@code deploymentVersion}), all or nothing, if the preview still exists (a removed preview is
     * never revived by a late deployment). A lost race is a {@link WriteConflict}.
     */
    public Alias move(String appId, String name, String releaseId, Actor actor, Deployment succeeded, long deploymentVersion) {
        String aliasName = new DeployTarget.Preview(name).aliasName();
        Optional<Alias> current = aliases.get(appId, aliasName);
        long expected = current.map(Alias::version).orElse(0L);
        // The history outlives a removed preview: a new one under the same name continues its versions.
        long nextVersion = current.isPresent() ? expected + 1 : aliases.lastVersion(appId, aliasName) + 1;
        boolean same = current.map(a -> a.releaseId().equals(releaseId)).orElse(false);
        Alias next = new Alias(appId, aliasName, releaseId, nextVersion, clock.instant(), succeeded.id(), false,
                same ? current.get().previousReleaseId() : current.map(Alias::releaseId).orElse(null));
        AuditEvent moved = AuditEvent.next(audit.head(appId), appId, clock.instant(), actor, "alias.moved",
                "alias/" + aliasName, current.<JsonNode>map(Json.MAPPER::valueToTree).orElse(null), Json.MAPPER.valueToTree(next));
        AuditEvent done = AuditEvent.next(moved.asHead(), appId, clock.instant(), actor, "deployment.succeeded",
                "deployment/" + succeeded.id(), null, succeeded.audited());
        aliases.move(AliasMove.of(next, expected, List.of(moved, done)).previewMustExist(name).finishing(succeeded, deploymentVersion));
        return next;
    }

    /**
     * Writes the router entry from the preview's alias and protection as they are now, again while
     * they change under it; removes it when the preview is gone. Throws when the router cannot be reached.
     */
    public void pointRouter(String appId, String name) {
        String label = name + "--" + appId;
        String pointed = null;
        for (int i = 0; i < 20; i++) {
            Optional<Preview> p = previews.get(appId, name);
            Optional<Alias> a = aliases.get(appId, Preview.aliasName(name));
            if (p.isEmpty() || a.isEmpty()) {
                router.remove(label);
                return;
            }
            String entry = a.get().releaseId() + "/" + p.get().tokenSha256();
            if (entry.equals(pointed)) {
                return;
            }
            router.point(label, a.get().releaseId(), p.get().tokenSha256());
            pointed = entry;
        }
    }

    /** {@link #pointRouter}, false instead of an exception when the router cannot be reached. */
    public boolean syncRouter(String appId, String name) {
        try {
            pointRouter(appId, name);
            return true;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(PreviewAlias.class).warn("router update for preview {} of {} failed: {}", name, appId, e.toString());
            return false;
        }
    }
}
