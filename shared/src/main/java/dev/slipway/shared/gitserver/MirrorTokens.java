package dev.slipway.shared.gitserver;

import dev.slipway.shared.env.AppEnvironment;
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
 * Mirror tokens, kept as environment values are (an SSM SecureString in AWS, AES-GCM files locally)
 * but under a path of their own ({@code <prefix>/<appId>}), which no build and no environment API reads.
 */
public interface MirrorTokens {
    void put(String appId, String token);

    Optional<String> get(String appId);

    /** In AWS: one SecureString per app. */
    static MirrorTokens ssm(SsmClient ssm, String prefix) {
        return new Ssm(ssm, prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    }

    /** One SecureString per app at {@code <prefix>/<appId>}. */
    final class Ssm implements MirrorTokens {
        private final SsmClient ssm;
        private final String base;

        Ssm(SsmClient ssm, String base) {
            this.ssm = ssm;
            this.base = base;
        }

        @Override
        public void put(String appId, String token) {
            ssm.putParameter(r -> r.name(base + "/" + appId).value(token).type(ParameterType.SECURE_STRING).overwrite(true));
        }

        @Override
        public Optional<String> get(String appId) {
            try {
                return Optional.of(ssm.getParameter(r -> r.name(base + "/" + appId).withDecryption(true)).parameter().value());
            } catch (ParameterNotFoundException e) {
                return Optional.empty();
            }
        }
    }

    /** Locally: the app environment's encrypted files, in a folder of their own. */
    static MirrorTokens local(Path dir) {
        LocalEncryptedAppEnvironment files = new LocalEncryptedAppEnvironment(dir);
        return new MirrorTokens() {
            @Override
            public void put(String appId, String token) {
                files.change(appId, Map.of(Mirrors.TOKEN, new AppEnvironment.Entry(token, EnvScope.ALL)), List.of());
            }

            @Override
            public Optional<String> get(String appId) {
                return Optional.ofNullable(files.values(appId, EnvScope.PRODUCTION).get(Mirrors.TOKEN));
            }
        };
    }
}
