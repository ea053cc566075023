package dev.slipway.shared.data.postgres;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server where verify restores (and other scratch databases) go: locally the runtime's on-demand
 * Postgres ({@code DATA_SCRATCH_URL}); in AWS the URL the stack's SSM SecureString holds
 * ({@code DATA_SCRATCH_URL_PARAMETER}), read when a job needs it, or, when that parameter does not exist and the stack
 * has its own database, that cluster with its master login (which only the data jobs hold).
 */
public final class ScratchServers {
    private ScratchServers() {
    }

    public static PostgresServer from(Config config, Supplier<SsmClient> ssm) {
        return from(config, name -> {
            try {
                return Optional.of(ssm.get().getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
            } catch (ParameterNotFoundException e) {
                return Optional.empty();
            }
        });
    }

    /** The choice, given how to read a parameter's value (empty when it does not exist). */
    static PostgresServer from(Config config, Function<String, Optional<String>> parameter) {
        Optional<String> local = config.get(EnvNames.DATA_SCRATCH_URL);
        if (local.isPresent()) {
            return DatabaseUrl.parse(local.get(), "/scratch").server();
        }
        String name = config.require(EnvNames.DATA_SCRATCH_URL_PARAMETER);
        Optional<String> url = parameter.apply(name);
        if (url.isPresent()) {
            return DatabaseUrl.parse(url.get(), "/scratch").server(); // the owner's server wins when set
        }
        return StackDatabase.from(config).flatMap(StackDatabase::master).orElseThrow(() -> new IllegalStateException(
                "no scratch server: the SSM parameter " + name + " does not exist and this stack has no database of its own"
                        + " (docs/data.md)"));
    }
}
