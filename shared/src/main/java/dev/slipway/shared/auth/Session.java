package dev.slipway.shared.auth;

import java.time.Instant;

/**
 * A console sign-in: the principal of the token it was made from (never more), its CSRF value and
 * when it ends. The cookie's secret is not here, only its SHA-256. {@code tokenId} is the scoped
 * token it came from (null for the admin token): the session ends when that token does.
 */
public record Session(String id, Principal principal, String tokenId, String csrfToken, String secretSha256,
                      Instant createdAt, Instant expiresAt) {

    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }
}
