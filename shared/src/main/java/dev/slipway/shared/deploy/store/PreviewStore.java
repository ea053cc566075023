package dev.slipway.shared.deploy.store;

import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Preview;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Preview records ({@code preview#<name>}) and their expiries in the due index. */
public interface PreviewStore {
    Optional<Preview> get(String appId, String name);

    /**
     * Writes the preview if it is still at {@code expectedVersion} (0: new), with its audit event;
     * its expiry becomes due for the cleanup. A lost race is a {@code WriteConflict}.
     */
    void put(Preview next, long expectedVersion, AuditEvent event);

    /**
     * Removes the preview (still at its version) and its alias (still at its version, when it has
     * one) with the audit event, all or nothing; the release the alias served loses its ref and
     * becomes a sweep candidate due now.
     */
    void remove(Preview p, Optional<Alias> alias, AuditEvent event);

    record PreviewPage(List<Preview> items, String next) {
    }

    /** The app's previews by name, {@code limit} per page; {@code afterName} is the last name seen. */
    PreviewPage page(String appId, int limit, String afterName);

    /** A preview the due index says is due: app and name (the record decides). */
    record DuePreview(String appId, String name) {
    }

    /** Previews whose expiry is at or before {@code now}, oldest first, up to {@code limit}. */
    List<DuePreview> due(Instant now, int limit);
}
