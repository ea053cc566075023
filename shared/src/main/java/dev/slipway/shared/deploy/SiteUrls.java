package dev.slipway.shared.deploy;

import java.util.Optional;

/** Where visitors reach an app and each release, from the {@code SITE_URL_PATTERN} setting. */
public final class SiteUrls {
    private final String pattern;

    /** @param pattern e.g. {@code https://{host}.apps.example.com/}; null or blank: no edge domain */
    public SiteUrls(String pattern) {
        this.pattern = pattern == null || pattern.isBlank() ? null : pattern;
    }

    public Optional<String> appUrl(String appId) {
        return url(appId);
    }

    /** The release's own, immutable URL: {@code {releaseId}--{appId}}. */
    public Optional<String> releaseUrl(String appId, String releaseId) {
        return url(releaseId + "--" + appId);
    }

    /** A preview's URL: {@code {name}--{appId}}. */
    public Optional<String> previewUrl(String appId, String name) {
        return url(name + "--" + appId);
    }

    private Optional<String> url(String hostLabel) {
        return pattern == null ? Optional.empty() : Optional.of(pattern.replace("{host}", hostLabel));
    }
}
