package dev.slipway.shared.data.postgres;

import dev.slipway.shared.config.Config;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where scratch databases go: the runtime's server locally; in AWS the owner's parameter, else the stack's cluster. */
class ScratchServersTest {
    private static final String CLUSTER = "db.cluster-x.eu-west-1.rds.amazonaws.com";
    private static final Map<String, String> DATA_JOB = Map.of("DATA_SCRATCH_URL_PARAMETER", "/slipway/data-scratch-url",
            "STACK_DATABASE_HOST", CLUSTER, "STACK_DATABASE_PORT", "5432",
            "STACK_DATABASE_USER", "postgres", "STACK_DATABASE_PASSWORD", "master-secret");

    @Test
    void theOwnersParameterWinsAndTheStacksClusterStandsInWhenItIsMissing() {
        Config job = Config.of(DATA_JOB);
        assertEquals("scratch.example.com", ScratchServers.from(job,
                name -> Optional.of("postgres://u:p@scratch.example.com:5432/postgres?sslmode=require")).host());
        PostgresServer stack = ScratchServers.from(job, name -> Optional.empty());
        assertEquals(CLUSTER, stack.host());

        // a function with the endpoint only (no master login) has no scratch server without the parameter
        Config endpointOnly = Config.of(Map.of("DATA_SCRATCH_URL_PARAMETER", "/p", "STACK_DATABASE_HOST", CLUSTER));
        assertThrows(IllegalStateException.class, () -> ScratchServers.from(endpointOnly, name -> Optional.empty()));
        // no stack database either
        assertThrows(IllegalStateException.class, () -> ScratchServers.from(Config.of(Map.of("DATA_SCRATCH_URL_PARAMETER", "/p",
                "STACK_DATABASE_HOST", "")), name -> Optional.empty()));
    }

    @Test
    void locallyTheRuntimesServerIsBoth() {
        Config local = Config.of(Map.of("DATA_SCRATCH_URL", "postgres://u:p@127.0.0.1:5999/postgres?sslmode=disable",
                "STACK_DATABASE_URL", "postgres://u:p@127.0.0.1:5999/postgres?sslmode=disable"));
        assertEquals("127.0.0.1", ScratchServers.from(local, name -> {
            throw new AssertionError("no parameter is read locally");
        }).host());
    }
}
