package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHead;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.store.WriteConflict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory stores' audit chains, one per app. Appending checks the head as the DynamoDB ledger
 * does: the first event must follow the head as it is now, else a {@link WriteConflict} on
 * {@code AUDIT_HEAD}; several events must be consecutive links.
 */
public final class MemoryAuditChain implements AuditHeads {
    private final Object lock;
    private final Map<String, List<AuditEvent>> chains = new HashMap<>();

    MemoryAuditChain(Object lock) {
        this.lock = lock;
    }

    @Override
    public AuditHead head(String appId) {
        synchronized (lock) {
            List<AuditEvent> chain = chains.get(appId);
            return chain == null || chain.isEmpty() ? AuditHead.EMPTY : chain.get(chain.size() - 1).asHead();
        }
    }

    /** The app's events, oldest first. */
    public List<AuditEvent> events(String appId) {
        synchronized (lock) {
            return List.copyOf(chains.getOrDefault(appId, List.of()));
        }
    }

    /** Throws what the ledger's conditions would; call with the lock held, before any write of the change. */
    void check(List<AuditEvent> events) {
        AuditEvent.requireConsecutive(events);
        AuditEvent first = events.get(0);
        AuditHead head = head(first.appId());
        if (first.seq() != head.seq() + 1 || !first.prevHash().equals(head.hash())) {
            throw new WriteConflict(WriteConflict.Part.AUDIT_HEAD, "condition failed on " + WriteConflict.Part.AUDIT_HEAD);
        }
    }

    /** Appends events {@link #check} accepted; call with the lock held. */
    void append(List<AuditEvent> events) {
        chains.computeIfAbsent(events.get(0).appId(), a -> new ArrayList<>()).addAll(events);
    }
}
