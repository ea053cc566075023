package dev.slipway.shared.apps;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** App ids are slugs {@code [a-z][a-z0-9-]{1,39}}: safe in hostnames, S3 keys and git refs. */
public final class AppId {
    public static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{1,39}");

    private AppId() {
    }

    public static boolean isValid(String id) {
        return id != null && SLUG.matcher(id).matches() && !id.endsWith("-") && !id.contains("--");
    }

    /**
     * A path segment that must name an app: anything else is a 400 before any store is asked.
     * No double hyphen, because {@code name--app} is how preview hostnames are split.
     */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new DomainException(DomainError.INVALID_APP_ID,
                    "App ids are 2-40 characters: a lower-case letter, then lower-case letters, digits and single hyphens, not ending in a hyphen");
        }
        return id;
    }

    /** "My Shop" → "my-shop"; "Café Déjà Vu!" → "cafe-deja-vu". Null when nothing usable remains. */
    public static String fromName(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        String slug = ascii.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        slug = slug.replaceAll("^[0-9-]+", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        return isValid(slug) ? slug : null;
    }
}
