package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Deployment;

import java.util.List;
import java.util.Optional;

/**
 * One move of an alias, written all or nothing by {@link AliasStore#move}: the alias to {@code next}
 * if it is still at {@code expectedVersion} (0: it does not exist), its audit events, and what else
 * must hold or change in the same write.
 *
 * @param events           the alias's own event first, then more consecutive links of the chain (a
 *                         deployment's promotion also records {@code deployment.succeeded})
 * @param finishing        the deployment whose end this move is (its version is compared, too)
 * @param previewMustExist the preview whose alias this is: a removed preview is never revived
 */
public record AliasMove(Alias next, long expectedVersion, List<AuditEvent> events, Optional<DeploymentFinish> finishing,
                        Optional<String> previewMustExist) {
    public AliasMove {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an alias move needs its audit event");
        }
    }

    /** A move on its own: no deployment ends with it, no preview is checked. */
    public static AliasMove of(Alias next, long expectedVersion, List<AuditEvent> events) {
        return new AliasMove(next, expectedVersion, events, Optional.empty(), Optional.empty());
    }

    public AliasMove finishing(Deployment finished, long expectedVersion) {
        return new AliasMove(next, this.expectedVersion, events, Optional.of(new DeploymentFinish(finished, expectedVersion)),
                previewMustExist);
    }

    public AliasMove previewMustExist(String previewName) {
        return new AliasMove(next, expectedVersion, events, finishing, Optional.of(previewName));
    }

    /** "This deployment is now {@code finished}", if it is still at {@code expectedVersion}. */
    public record DeploymentFinish(Deployment finished, long expectedVersion) {
    }
}
