package dev.slipway.shared.auth;

import java.time.Instant;
import java.util.Set;

/**
 * A scoped token as stored: never its secret, only its SHA-256. {@code apps} null = every app.
 * {@code rotatedTo} names the token that replaced it (this one then expires at the time the rotation set).
 */
public record Token(String id, String name, Role role, Set<String> apps, Instant createdAt, Instant expiresAt,
                    Instant revokedAt, Instant lastUsedAt, String sha256, String createdBy, String rotatedTo, long version) {

    public boolean validAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }

    public Principal principal() {
        return Principal.token(id, name, role, apps);
    }

    Token revoked(Instant now) {
        return new Token(id, name, role, apps, createdAt, expiresAt, now, lastUsedAt, sha256, createdBy, rotatedTo, version + 1);
    }

    Token rotated(String to, Instant until) {
        Instant end = until.isBefore(expiresAt) ? until : expiresAt;
        return new Token(id, name, role, apps, createdAt, end, revokedAt, lastUsedAt, sha256, createdBy, to, version + 1);
    }
}
