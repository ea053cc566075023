package dev.slipway.shared.deploy.store;

import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.AliasVersion;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Aliases ({@code alias#<name>}), their history (one {@code aliasv#<name>#<version>} per version) and
 * which releases they point at ({@code ref#<releaseId>#<name>}, so "does any alias serve this
 * release" is one read). Only {@code deploy.alias} moves them.
 */
public interface AliasStore {
    Optional<Alias> get(String appId, String name);

    /** The app's aliases of these names that exist, by name (a page of previews reads them in one batch). */
    Map<String, Alias> getAll(String appId, Collection<String> names);

    /**
     * Moves the alias, all or nothing: the alias if still at the expected version, only onto a READY
     * release, its history item, its ref item (the release left behind loses its ref and becomes a
     * sweep candidate), the audit events, and the move's deployment finish and preview check. A lost
     * race is a {@code WriteConflict}: ALIAS (the alias moved), RELEASE (not READY), AUDIT_HEAD, or
     * ITEM (the deployment changed, the preview is gone).
     */
    void move(AliasMove move);

    /** The alias's versions, newest first, up to {@code limit}. */
    List<AliasVersion> history(String appId, String name, int limit);

    /** The alias's latest version ever written (its history survives the alias), or 0. */
    default long lastVersion(String appId, String name) {
        List<AliasVersion> last = history(appId, name, 1);
        return last.isEmpty() ? 0 : last.get(0).version();
    }

    /** Whether any alias (production or a preview) points at the release now. */
    boolean referenced(String appId, String releaseId);
}
