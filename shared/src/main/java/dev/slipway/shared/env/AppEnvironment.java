package dev.slipway.shared.env;

import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.EnvNames;

import java.nio.file.Path;
import java.util.Map;
import java.util.SortedSet;

/**
 * An app's environment variables: secret values, kept encrypted, never in git, logs or answers.
 * In AWS each is an SSM SecureString; locally an AES-GCM file under the data folder.
 */
public interface AppEnvironment {
    /** Sets (or replaces) these variables. */
    void putAll(String appId, Map<String, String> variables);

    /** Names only: what API answers and audit events may show. */
    SortedSet<String> names(String appId);

    /** Values, for builds only. */
    Map<String, String> values(String appId);

    static AppEnvironment from(AwsClients clients) {
        var config = clients.config();
        return config.get(EnvNames.APP_ENV_LOCAL_DIR)
                .<AppEnvironment>map(dir -> new LocalEncryptedAppEnvironment(Path.of(dir)))
                .orElseGet(() -> new SsmAppEnvironment(clients.ssm(), config.require(EnvNames.APP_ENV_PARAMETER_PREFIX)));
    }
}
