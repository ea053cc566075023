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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Console sessions: a token (scoped or admin) exchanged for a cookie. The session carries the token's
 * principal, never more, ends at {@link #LIFETIME} or when its token ends, whichever is first, and
 * has a CSRF value the page must send back on every mutating request ({@link Authenticator}).
 * The cookie is {@code <session id>.<secret>}; only the secret's SHA-256 is stored.
 */
public final class SessionService {
    public static final String COOKIE = "slipway_session";
    public static final String CSRF_HEADER = "x-slipway-csrf";
    public static final Duration LIFETIME = Duration.ofHours(12);
    private static final int SECRET_LENGTH = 43;
    private static final int ATTEMPTS = 5;
    private static final byte[] NO_HASH = new byte[32];

    private final SessionStore store;
    private final TokenService tokens;
    private final Clock clock;

    public SessionService(SessionStore store, TokenService tokens, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A new session and its cookie value, which is sent once in Set-Cookie and never stored. */
    public record Created(Session session, String cookieValue) {
    }

    /** Signs in as {@code principal} (what the presented token authenticated as). */
    public Created signIn(Principal principal, Actor actor) {
        Instant now = clock.instant();
        Instant end = now.plus(LIFETIME);
        String tokenId = null;
        if (principal.kind() == Principal.Kind.TOKEN) {
            tokenId = principal.id();
            Instant tokenEnd = tokens.get(tokenId).expiresAt();
            end = tokenEnd.isBefore(end) ? tokenEnd : end;
        } else if (principal.kind() != Principal.Kind.ADMIN) {
            throw new DomainException(DomainError.UNAUTHORIZED, "Only a scoped token or the admin token can sign in");
        }
        String id = Ulid.next(now);
        String cookie = id + "." + TokenFormat.randomBase62(SECRET_LENGTH);
        Session session = new Session(id, principal, tokenId, TokenFormat.randomBase62(SECRET_LENGTH),
                AdminTokens.sha256Hex(cookie), now, end);
        write(actor, "session.created", session, null);
        return new Created(session, cookie);
    }

    /**
     * The valid session a cookie value names, or empty: well-formed, stored, its hash equal (constant
     * time), not expired, and its token (if a scoped one) still valid.
     */
    public Optional<Session> check(String cookieValue) {
        String id = idOf(cookieValue);
        if (id == null) {
            return Optional.empty();
        }
        Optional<Session> found = store.get(id);
        byte[] expected = found.map(s -> HexFormat.of().parseHex(s.secretSha256())).orElse(NO_HASH);
        boolean same = MessageDigest.isEqual(expected, AdminTokens.sha256(cookieValue));
        Instant now = clock.instant();
        if (!same || found.isEmpty() || !found.get().validAt(now)) {
            return Optional.empty();
        }
        String tokenId = found.get().tokenId();
        if (tokenId != null && !tokens.isValid(tokenId, now)) {
            return Optional.empty();
        }
        return found;
    }

    /** Whether {@code presented} is the session's CSRF value, compared in constant time. */
    public static boolean csrfMatches(Session session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the session the cookie names (if it is still valid); signing out twice is not an error. */
    public void signOut(String cookieValue, Actor actor) {
        for (int attempt = 1; ; attempt++) {
            Optional<Session> session = check(cookieValue);
            if (session.isEmpty()) {
                return;
            }
            try {
                write(actor, "session.ended", null, session.get());
                return;
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.ITEM) {
                    return; // another sign-out of the same session won
                }
                retryOrGiveUp(attempt);
            }
        }
    }

    private void write(Actor actor, String action, Session created, Session deleted) {
        Session s = created != null ? created : deleted;
        for (int attempt = 1; ; attempt++) {
            try {
                AuditEvent event = AuditEvent.next(store.auditHead(), SessionStore.AUDIT_CHAIN, clock.instant(), actor, action,
                        "session/" + s.id(), created == null ? view(s) : null, created == null ? null : view(s));
                store.write(created, deleted, event);
                return;
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.ITEM) {
                    throw e;
                }
                retryOrGiveUp(attempt);
            }
        }
    }

    private static void retryOrGiveUp(int attempt) {
        if (attempt >= ATTEMPTS) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "Sessions changed while this request ran; retry it");
        }
        Transactions.pauseAfterConflict(attempt);
    }

    /** The session id of a cookie value {@code <ULID>.<secret>}, or null when it is not of that form. */
    static String idOf(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != 26 + 1 + SECRET_LENGTH || cookieValue.charAt(26) != '.') {
            return null;
        }
        String id = cookieValue.substring(0, 26);
        String secret = cookieValue.substring(27);
        return Ulid.isValid(id) && secret.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c)) ? id : null;
    }

    /** The value of the session cookie among a request's cookies ({@code name=value} each), or null. */
    public static String cookieValue(List<String> cookies) {
        if (cookies == null) {
            return null;
        }
        for (String c : cookies) {
            if (c != null && c.startsWith(COOKIE + "=")) {
                return c.substring(COOKIE.length() + 1).trim();
            }
        }
        return null;
    }

    /**
     * The session as the API and audit events show it: who, until when, never the cookie, its hash
     * or the CSRF value.
     */
    /** Who a principal is, for the console: {@code principal} (as audit events describe it), {@code role}, {@code apps}. */
    public static ObjectNode who(Principal p) {
        ObjectNode n = Json.object();
        n.set("principal", Principal.describe(p.actorId()));
        n.put("role", p.role().wire());
        if (p.apps() == null) {
            n.put("apps", "*");
        } else {
            p.apps().forEach(n.putArray("apps")::add);
        }
        return n;
    }

    public static ObjectNode view(Session s) {
        ObjectNode n = Json.object();
        n.put("sessionId", s.id());
        n.setAll(who(s.principal()));
        n.put("createdAt", s.createdAt().toString());
        n.put("expiresAt", s.expiresAt().toString());
        return n;
    }
}
