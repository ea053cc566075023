package dev.slipway.shared.github;

import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A source's webhook secret and repository token, kept as the apps' environment values are (SSM
 * SecureStrings in AWS, AES-GCM files locally) but under their own root: builds read the app's
 * environment and never see these.
 */
public final class SourceSecrets {
    static final String WEBHOOK_SECRET = "GITHUB_WEBHOOK_SECRET";
    static final String TOKEN = "GITHUB_TOKEN";

    private final AppEnvironment store;

    public SourceSecrets(AppEnvironment store) {
        this.store = store;
    }

    void put(String appId, String webhookSecret, String token) {
        Map<String, AppEnvironment.Entry> set = new LinkedHashMap<>();
        set.put(WEBHOOK_SECRET, new AppEnvironment.Entry(webhookSecret, EnvScope.ALL));
        if (token != null) {
            set.put(TOKEN, new AppEnvironment.Entry(token, EnvScope.ALL));
        }
        store.change(appId, set, token == null ? List.of(TOKEN) : List.of());
    }

    Optional<String> webhookSecret(String appId) {
        return Optional.ofNullable(store.values(appId, EnvScope.PRODUCTION).get(WEBHOOK_SECRET));
    }

    Optional<String> token(String appId) {
        return Optional.ofNullable(store.values(appId, EnvScope.PRODUCTION).get(TOKEN));
    }
}
