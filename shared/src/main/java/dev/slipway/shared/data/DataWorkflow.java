package dev.slipway.shared.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.json.Json;

import java.util.function.Consumer;

/** Starts the data workflow (statemachines/data.asl.json) for one job; the name is the job's id (at most one execution per job). */
@FunctionalInterface
public interface DataWorkflow {
    /** Throws when the workflow cannot be started; an execution of that name that already exists is fine. */
    void start(String name, ObjectNode input);

    /**
     * Starts job {@code job} (backup, restore, move) of {@code appId}, its id under {@code idField}: ids only, so no
     * credential enters the workflow's input or history. When it cannot start, {@code markFailed} gets why (the record
     * fails now rather than after its lease) and the caller a 503 {@code data-workflow-unavailable}.
     */
    default void startJob(String job, String appId, String idField, String id, Consumer<String> markFailed) {
        ObjectNode input = Json.object();
        input.put("job", job);
        input.put("appId", appId);
        input.put(idField, id);
        try {
            start(id, input);
        } catch (RuntimeException e) {
            markFailed.accept("the data workflow could not be started: " + e.getMessage());
            throw new DomainException(DomainError.DATA_WORKFLOW_UNAVAILABLE, "The " + job + " workflow could not be started; retry later");
        }
    }
}
