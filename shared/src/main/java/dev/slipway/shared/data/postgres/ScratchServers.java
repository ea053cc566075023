package dev.slipway.shared.data.postgres;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.util.function.Supplier;

/**
 * The server where verify restores (and other scratch databases) go: locally the runtime's on-demand
 * Postgres ({@code DATA_SCRATCH_URL}); in AWS the URL the stack's SSM SecureString holds
 * ({@code DATA_SCRATCH_URL_PARAMETER}), read when a job needs it.
 */
public final class ScratchServers {
    private ScratchServers() {
    }

    public static PostgresServer from(Config config, Supplier<SsmClient> ssm) {
        String url = config.get(EnvNames.DATA_SCRATCH_URL).orElseGet(() -> ssm.get().getParameter(r -> r
                .name(config.require(EnvNames.DATA_SCRATCH_URL_PARAMETER)).withDecryption(true)).parameter().value());
        return DatabaseUrl.parse(url, "/scratch").server();
    }
}
