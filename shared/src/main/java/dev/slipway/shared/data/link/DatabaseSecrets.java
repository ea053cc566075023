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
 * The linked databases' URLs, kept as environment values are but apart from them (builds never
 * read these): an SSM SecureString {@code <prefix>/<appId>} in AWS, an AES-GCM file locally.
 */
public final class DatabaseSecrets {
    private static final String NAME = "DATABASE_URL";
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

    void put(String appId, String url) {
        if (local != null) {
            local.change(appId, Map.of(NAME, new LocalEncryptedAppEnvironment.Entry(url, EnvScope.ALL)), List.of());
        } else {
            ssm.putParameter(r -> r.name(prefix + "/" + appId).value(url).type(ParameterType.SECURE_STRING).overwrite(true));
        }
    }

    Optional<String> get(String appId) {
        if (local != null) {
            return Optional.ofNullable(local.values(appId, EnvScope.PRODUCTION).get(NAME));
        }
        try {
            return Optional.of(ssm.getParameter(r -> r.name(prefix + "/" + appId).withDecryption(true)).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    void remove(String appId) {
        if (local != null) {
            local.change(appId, Map.of(), List.of(NAME));
        } else {
            try {
                ssm.deleteParameter(r -> r.name(prefix + "/" + appId));
            } catch (ParameterNotFoundException gone) {
                // already removed (a retried unlink)
            }
        }
    }
}
