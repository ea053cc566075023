package dev.slipway.shared.auth;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Where the admin token's hash comes from. In AWS: an SSM parameter (read on first use, then kept
 * for five minutes so a rotation takes effect without a redeploy). Locally: the variable the local
 * runtime sets, because there is no SSM on a laptop.
 */
public final class AdminTokenHashSource implements Supplier<String> {
    static final Duration CACHE_FOR = Duration.ofMinutes(5);

    private final Supplier<String> loader;
    private final Clock clock;
    private volatile String cached;
    private volatile Instant cachedAt = Instant.EPOCH;

    AdminTokenHashSource(Supplier<String> loader, Clock clock) {
        this.loader = loader;
        this.clock = clock;
    }

    public static Supplier<String> from(Config config, Supplier<SsmClient> ssm) {
        var fixed = config.get(EnvNames.ADMIN_TOKEN_SHA256);
        if (fixed.isPresent()) {
            String hash = fixed.get();
            return () -> hash;
        }
        String parameter = config.require(EnvNames.ADMIN_TOKEN_HASH_PARAMETER);
        return new AdminTokenHashSource(
                () -> ssm.get().getParameter(r -> r.name(parameter).withDecryption(true)).parameter().value(),
                Clock.systemUTC());
    }

    @Override
    public String get() {
        Instant now = clock.instant();
        String value = cached;
        if (value == null || now.isAfter(cachedAt.plus(CACHE_FOR))) {
            value = loader.get();
            cached = value;
            cachedAt = now;
        }
        return value;
    }
}
