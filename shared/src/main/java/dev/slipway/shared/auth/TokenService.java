package dev.slipway.shared.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The /tokens API and the check of a presented scoped token. */
public final class TokenService {
    /** How often a token's lastUsedAt is written at most. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final int ATTEMPTS = 5;
    /** Compared against when the id is unknown, so an unknown id costs what a wrong secret costs. */
    private static final byte[] NO_HASH = new byte[32];

    private final TokenStore store;
    private final Clock clock;

    public TokenService(TokenStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A new token and its secret, which is shown once and never stored. */
    public record Created(Token token, String secret) {
    }

    public Created create(NewToken request, Actor actor) {
        Instant now = clock.instant();
        String id = TokenFormat.newId(now);
        String secret = TokenFormat.generate(id);
        Token token = new Token(id, request.name(), request.role(), request.apps(), now, request.expiresAt(), null, null,
                AdminTokens.sha256Hex(secret), actor.id(), null, 1);
        writeWithEvent(actor, "token.created", token, () -> List.of(token), List::of);
        return new Created(token, secret);
    }

    public List<Token> list() {
        return store.list();
    }

    public Token get(String id) {
        return (dev.slipway.shared.ids.Ulid.isValid(id) ? store.get(id) : Optional.<Token>empty()).orElseThrow(() -> NewToken.notFound(id));
    }

    public Token revoke(String id, Actor actor) {
        for (int attempt = 1; ; attempt++) {
            Token current = get(id);
            if (current.revokedAt() != null) {
                return current;
            }
            Token revoked = current.revoked(clock.instant());
            try {
                write(actor, "token.revoked", revoked, List.of(), List.of(revoked));
                return revoked;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt, e);
            }
        }
    }

    /**
     * A new token with the old one's name, role and apps, expiring as the old one did (at least a day
     * from now); the old one stays valid until {@code oldValidUntil} (never later than it would have).
     */
    public Created rotate(String id, Instant oldValidUntil, Actor actor) {
        for (int attempt = 1; ; attempt++) {
            Token old = get(id);
            Instant now = clock.instant();
            if (!old.validAt(now)) {
                throw new DomainException(DomainError.TOKEN_NOT_VALID, "Token " + id + " is revoked or expired; create a new one");
            }
            String newId = TokenFormat.newId(now);
            String secret = TokenFormat.generate(newId);
            Instant expires = old.expiresAt().isAfter(now.plus(Duration.ofDays(1))) ? old.expiresAt() : now.plus(NewToken.DEFAULT_LIFETIME);
            Token fresh = new Token(newId, old.name(), old.role(), old.apps(), now, expires, null, null,
                    AdminTokens.sha256Hex(secret), actor.id(), null, 1);
            Token retired = old.rotated(newId, oldValidUntil);
            try {
                AuditEvent created = AuditEvent.next(store.auditHead(), TokenStore.AUDIT_CHAIN, now, actor, "token.rotated",
                        "token/" + id, view(old), view(retired));
                AuditEvent second = AuditEvent.next(created.asHead(), TokenStore.AUDIT_CHAIN, now, actor, "token.created",
                        "token/" + newId, null, view(fresh));
                store.write(List.of(fresh), List.of(retired), List.of(created, second));
                return new Created(fresh, secret);
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt, e);
            }
        }
    }

    /**
     * The valid token a presented secret is, or empty: well-formed, issued, its hash equal (constant
     * time), not revoked, not expired. Records the use.
     */
    public Optional<Token> check(String presented) {
        if (!TokenFormat.isWellFormed(presented)) {
            return Optional.empty();
        }
        Optional<Token> found = store.get(TokenFormat.idOf(presented));
        byte[] expected = found.map(t -> HexFormat.of().parseHex(t.sha256())).orElse(NO_HASH);
        boolean same = MessageDigest.isEqual(expected, AdminTokens.sha256(presented));
        Instant now = clock.instant();
        if (!same || found.isEmpty() || !found.get().validAt(now)) {
            return Optional.empty();
        }
        store.touch(found.get().id(), now, TOUCH_EVERY);
        return found;
    }

    /** Whether the token with this id exists and is neither revoked nor expired at {@code now} (a session's check). */
    public boolean isValid(String id, Instant now) {
        return Ulid.isValid(id) && store.get(id).map(t -> t.validAt(now)).orElse(false);
    }

    private void writeWithEvent(Actor actor, String action, Token token, java.util.function.Supplier<List<Token>> created,
                                java.util.function.Supplier<List<Token>> changed) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(actor, action, token, created.get(), changed.get());
                return;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt, e);
            }
        }
    }

    private void write(Actor actor, String action, Token token, List<Token> created, List<Token> changed) {
        AuditEvent event = AuditEvent.next(store.auditHead(), TokenStore.AUDIT_CHAIN, clock.instant(), actor, action,
                "token/" + token.id(), null, view(token));
        store.write(created, changed, List.of(event));
    }

    private static void retryOrGiveUp(int attempt, WriteConflict e) {
        if (attempt >= ATTEMPTS || e.part() == WriteConflict.Part.ITEM && attempt >= 2) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The token changed while this request ran; retry it");
        }
        Transactions.pauseAfterConflict(attempt);
    }

    /** The token as audit events and the API show it: never a secret or its hash. */
    public static ObjectNode view(Token t) {
        ObjectNode n = Json.object();
        n.put("tokenId", t.id());
        n.put("name", t.name());
        n.put("role", t.role().wire());
        if (t.apps() == null) {
            n.put("apps", "*");
        } else {
            t.apps().forEach(n.putArray("apps")::add);
        }
        n.put("createdAt", t.createdAt().toString());
        n.put("expiresAt", t.expiresAt().toString());
        n.put("createdBy", t.createdBy());
        if (t.lastUsedAt() != null) {
            n.put("lastUsedAt", t.lastUsedAt().toString());
        }
        if (t.revokedAt() != null) {
            n.put("revokedAt", t.revokedAt().toString());
        }
        if (t.rotatedTo() != null) {
            n.put("rotatedTo", t.rotatedTo());
        }
        return n;
    }
}
