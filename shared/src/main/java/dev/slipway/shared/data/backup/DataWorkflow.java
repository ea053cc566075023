package dev.slipway.shared.data.backup;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Starts the data workflow (statemachines/data.asl.json) for one job; the name is the job's id (at most one execution per job). */
@FunctionalInterface
public interface DataWorkflow {
    /** Throws when the workflow cannot be started; an execution of that name that already exists is fine. */
    void start(String name, ObjectNode input);
}
