package dev.slipway.shared.hooks;

import dev.slipway.shared.auth.Principal;

import java.time.Instant;

/**
 * A deploy hook: a secret URL that deploys {@code ref} of its app to production or to the preview named
 * after the ref (as Vercel Deploy Hooks and Netlify build hooks do). Only the secret's SHA-256 is stored.
 */
public record DeployHook(String id, String appId, String name, String ref, Target target, Instant createdAt, String createdBy,
                         Instant revokedAt, String sha256, long version) {
    public enum Target { PRODUCTION, PREVIEW }

    public Principal principal() {
        return Principal.hook(id, name, appId);
    }

    DeployHook revoked(Instant now) {
        return new DeployHook(id, appId, name, ref, target, createdAt, createdBy, now, sha256, version + 1);
    }
}
