package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Deployment;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Deployments of every app ({@code deployment#<id>}). Steps change a deployment by compare-and-set
 * on its version; its start and its end are written with their audit events. A deployment's end
 * that moves an alias is part of that move ({@link AliasMove#finishing()}).
 */
public interface DeploymentStore {
    /** A new deployment with its audit event; an existing id is a {@code WriteConflict} (ITEM). */
    void create(Deployment d, AuditEvent event);

    Optional<Deployment> get(String appId, String id);

    record DeploymentPage(List<Deployment> items, String next) {
    }

    /** Newest first (ids are ULIDs, so key order is time order); {@code cursor} from the previous page. */
    DeploymentPage page(String appId, int limit, String cursor);

    /**
     * Applies {@code change} by compare-and-set on the deployment's version, re-reading and
     * re-applying when another writer got there first. Returns the stored result.
     */
    Deployment update(String appId, String id, UnaryOperator<Deployment> change);

    /** A deployment's final state and its audit event, together, if it is still at {@code expectedVersion}. */
    void finish(Deployment finished, long expectedVersion, AuditEvent event);

    /** The app's deployments created since {@code since} (a key range, never all of them), newest first. */
    List<Deployment> since(String appId, Instant since);
}
