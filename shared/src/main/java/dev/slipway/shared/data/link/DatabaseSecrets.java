package dev.slipway.shared.data.link;

import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data features' secrets per app (the linked database's URL, the backup key, a restore target's
 * URL while it runs), kept as environment values are but apart from them (builds never read these):
 * an SSM SecureString {@code <prefix>/<appId>/<name>} in AWS, an AES-GCM file locally.
 */
public final class DatabaseSecrets {
    private final SsmClient ssm;
    private final String prefix;
    private final LocalEncryptedAppEnvironment local;

    private DatabaseSecrets(SsmClient ssm, String prefix, LocalEncryptedAppEnvironment local) {
        this.ssm = ssm;
        this.prefix = prefix == null ? null : prefix.replaceAll("/+$", "");
        this.local = local;
    }

    public static DatabaseSecrets ssm(SsmClient ssm, String prefix) {
        return new DatabaseSecrets(ssm, prefix, null);
    }

    public static DatabaseSecrets local(Path dir) {
        return new DatabaseSecrets(null, null, new LocalEncryptedAppEnvironment(dir));
    }

    /** {@code name}: letters, digits and dashes. */
    public void put(String appId, String name, String value) {
        if (local != null) {
            local.change(appId, Map.of(name, new LocalEncryptedAppEnvironment.Entry(value, EnvScope.ALL)), List.of());
        } else {
            ssm.putParameter(r -> r.name(prefix + "/" + appId + "/" + name).value(value).type(ParameterType.SECURE_STRING).overwrite(true));
        }
    }

    public Optional<String> get(String appId, String name) {
        if (local != null) {
            return Optional.ofNullable(local.values(appId, EnvScope.PRODUCTION).get(name));
        }
        try {
            return Optional.of(ssm.getParameter(r -> r.name(prefix + "/" + appId + "/" + name).withDecryption(true)).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    public void remove(String appId, String name) {
        if (local != null) {
            local.change(appId, Map.of(), List.of(name));
        } else {
            try {
                ssm.deleteParameter(r -> r.name(prefix + "/" + appId + "/" + name));
            } catch (ParameterNotFoundException gone) {
                // already removed (a retried unlink)
            }
        }
    }
}
