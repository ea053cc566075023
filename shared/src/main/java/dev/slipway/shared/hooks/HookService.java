package dev.slipway.shared.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.auth.AdminTokens;
import dev.slipway.shared.auth.FailedAuthLimit;
import dev.slipway.shared.auth.TokenFormat;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.NewDeployment;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.preview.NewPreview;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Deploy hooks: made, listed and revoked by the app's deployers; delivered by anyone holding the URL.
 * A delivery is checked like a token (constant-time digest compare, failed attempts limited per
 * source) and acts as the hook ({@code hook:<id>:<name>}) on its one app.
 */
public final class HookService {
    public static final String SECRET_PREFIX = "slwh_";
    static final int SECRET_LENGTH = 40;
    private static final byte[] NO_HASH = new byte[32];
    private static final int ATTEMPTS = 5;

    private final HookStore store;
    private final AppService apps;
    private final DeployService deploys;
    private final Previews previews;
    private final FailedAuthLimit limit;
    private final Clock clock;

    public HookService(HookStore store, AppService apps, DeployService deploys, Previews previews, FailedAuthLimit limit, Clock clock) {
        this.store = store;
        this.apps = apps;
        this.deploys = deploys;
        this.previews = previews;
        this.limit = limit;
        this.clock = clock;
    }

    public record Created(DeployHook hook, String secret) {
        /** The URL path that triggers it (the secret is in it: shown once). */
        public String path() {
            return "/hooks/" + hook.id() + "/" + secret;
        }
    }

    /** What a delivery started: a production deployment, or a preview's. */
    public record Delivery(DeployHook hook, Deployment deployment, String previewName) {
    }

    public Created create(String appId, NewHook request, Actor actor) {
        String app = apps.get(appId).id();
        Instant now = clock.instant();
        String secret = SECRET_PREFIX + TokenFormat.randomBase62(SECRET_LENGTH);
        DeployHook hook = new DeployHook(Ulid.next(now), app, request.name(), request.ref(), request.target(), now, actor.id(), null,
                AdminTokens.sha256Hex(secret), 1);
        write(hook, "hook.created", actor);
        return new Created(hook, secret);
    }

    public List<DeployHook> list(String appId) {
        return store.list(apps.get(appId).id());
    }

    public DeployHook revoke(String appId, String hookId, Actor actor) {
        String app = apps.get(appId).id();
        for (int attempt = 1; ; attempt++) {
            DeployHook current = find(hookId).filter(h -> h.appId().equals(app))
                    .orElseThrow(() -> new DomainException(DomainError.HOOK_NOT_FOUND, "No hook " + hookId + " for app " + app));
            if (current.revokedAt() != null) {
                return current;
            }
            DeployHook revoked = current.revoked(clock.instant());
            try {
                write(revoked, "hook.revoked", actor);
                return revoked;
            } catch (DomainException e) {
                if (e.error() != DomainError.CONCURRENT_MODIFICATION || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * {@code POST /hooks/{hookId}/{secret}}: 401 for an unknown, revoked or wrong one (one answer for all),
     * else the hook's deployment starts, acting as the hook.
     */
    public Delivery deliver(String hookId, String secret, String sourceIp, String requestId) {
        Optional<DeployHook> found = find(hookId);
        byte[] expected = found.map(h -> HexFormat.of().parseHex(h.sha256())).orElse(NO_HASH);
        boolean same = secret != null && secret.length() < 200 && MessageDigest.isEqual(expected, AdminTokens.sha256(secret));
        if (!same || found.isEmpty() || found.get().revokedAt() != null) {
            limit.recordFailure(sourceIp);
            throw new DomainException(DomainError.UNAUTHORIZED, "No such hook, or it was revoked");
        }
        DeployHook hook = found.get();
        Actor actor = new Actor(hook.principal().actorId(), requestId, sourceIp);
        if (hook.target() == DeployHook.Target.PRODUCTION) {
            return new Delivery(hook, deploys.start(hook.appId(), new NewDeployment(hook.ref(), DeployTarget.parse("production"), null), actor), null);
        }
        Previews.Created p = previews.create(hook.appId(), new NewPreview(hook.ref(), null, null, null), actor);
        return new Delivery(hook, p.deployment(), p.preview().name());
    }

    private Optional<DeployHook> find(String hookId) {
        return Ulid.isValid(hookId) ? store.get(hookId) : Optional.empty();
    }

    private void write(DeployHook hook, String action, Actor actor) {
        for (int attempt = 1; ; attempt++) {
            try {
                store.write(hook, AuditEvent.next(store.auditHead(hook.appId()), hook.appId(), clock.instant(), actor, action,
                        "hook/" + hook.id(), null, view(hook)));
                return;
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.ITEM || attempt >= ATTEMPTS) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The hook changed while this request ran; retry it");
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    /** The hook as the API and audit events show it: never its secret or its hash. */
    public static ObjectNode view(DeployHook h) {
        ObjectNode n = Json.object();
        n.put("hookId", h.id());
        n.put("appId", h.appId());
        n.put("name", h.name());
        n.put("ref", h.ref());
        n.put("target", NewHook.wire(h.target()));
        n.put("createdAt", h.createdAt().toString());
        n.put("createdBy", h.createdBy());
        if (h.revokedAt() != null) {
            n.put("revokedAt", h.revokedAt().toString());
        }
        return n;
    }
}
