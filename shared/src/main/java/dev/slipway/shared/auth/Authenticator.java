package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling: {@code Authorization: Bearer} with a scoped token ({@code slwt_…}) or the bootstrap
 * admin token, or else the console's session cookie ({@link SessionService}), which on a mutating request
 * also needs the session's CSRF value in {@value SessionService#CSRF_HEADER} and an {@code Origin} of the
 * API's own host. Every secret is compared as a SHA-256 digest with {@link java.security.MessageDigest#isEqual}.
 * Wrong tokens and sessions count against their source ({@link FailedAuthLimit}): past its limit, 429 instead of 401.
 */
public final class Authenticator {
    private static final int MAX_TOKEN_LENGTH = 512;

    private final AdminAuth admin;
    private final TokenService tokens;
    private final SessionService sessions;
    private final FailedAuthLimit limit;

    public Authenticator(AdminAuth admin, TokenService tokens, SessionService sessions, FailedAuthLimit limit) {
        this.admin = admin;
        this.tokens = tokens;
        this.sessions = sessions;
        this.limit = limit;
    }

    /**
     * What a request shows of who it is: its {@code Authorization} header, its cookies ({@code name=value}
     * each, as API Gateway's payload v2 {@code cookies[]}), its CSRF header, {@code Origin} and {@code Host},
     * and whether it changes anything (POST, PUT, PATCH, DELETE).
     */
    public record Credentials(String authorization, List<String> cookies, String csrfHeader, String origin, String host,
                              boolean mutating, String sourceIp) {
    }

    /** The Bearer header if there is one (it wins), else the session cookie; 401 when neither is valid. */
    public Principal authenticate(Credentials c) {
        String cookie = SessionService.cookieValue(c.cookies());
        if (c.authorization() != null || cookie == null) {
            return authenticate(c.authorization(), c.sourceIp());
        }
        Optional<Session> session = check(cookie);
        if (session.isEmpty()) {
            limit.recordFailure(c.sourceIp());
            throw new DomainException(DomainError.UNAUTHORIZED, "The session is not valid: signed out or expired; sign in again");
        }
        if (c.mutating()) {
            if (!sameOrigin(c.origin(), c.host())) {
                throw new DomainException(DomainError.CSRF_REJECTED,
                        "A change made with the session cookie must come from the console's own origin (Origin header)");
            }
            if (!SessionService.csrfMatches(session.get(), c.csrfHeader())) {
                throw new DomainException(DomainError.CSRF_REJECTED,
                        "A change made with the session cookie needs the session's CSRF value in " + SessionService.CSRF_HEADER);
            }
        }
        return session.get().principal();
    }

    /**
     * The session a request's cookie names, for the session routes (GET shows it, DELETE ends it); a cookie
     * that names no valid session counts as a failed authentication, as a wrong token does.
     */
    public Optional<Session> session(Credentials c) {
        String cookie = SessionService.cookieValue(c.cookies());
        if (cookie == null) {
            return Optional.empty();
        }
        Optional<Session> session = check(cookie);
        if (session.isEmpty()) {
            limit.recordFailure(c.sourceIp());
        }
        return session;
    }

    /** A valid session; one signed in with the admin token ends when that token is replaced (its hash changed). */
    private Optional<Session> check(String cookie) {
        Optional<Session> session = cookie.length() > MAX_TOKEN_LENGTH ? Optional.empty() : sessions.check(cookie);
        return session.filter(s -> s.principal().kind() != Principal.Kind.ADMIN
                || java.security.MessageDigest.isEqual(s.principal().id().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        admin.callerId().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** Whether an {@code Origin} header names the host the request was sent to (scheme aside: the cookie is SameSite=Strict too). */
    public static boolean sameOrigin(String origin, String host) {
        if (origin == null || host == null || origin.equals("null")) {
            return false;
        }
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public Principal authenticate(String header, String sourceIp) {
        if (header == null) {
            throw new DomainException(DomainError.UNAUTHORIZED, "Send Authorization: Bearer <token>");
        }
        String token = AdminAuth.bearerToken(header);
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            limit.recordFailure(sourceIp);
            throw new DomainException(DomainError.UNAUTHORIZED, "The Authorization header must be: Bearer <token>");
        }
        if (token.startsWith(TokenFormat.PREFIX)) {
            var found = tokens.check(token);
            if (found.isPresent()) {
                return found.get().principal();
            }
        } else if (admin.matches(token)) {
            return new Principal(Principal.Kind.ADMIN,
                    HexFormat.of().formatHex(AdminTokens.sha256("slipway-caller:" + AdminTokens.sha256Hex(token))), null, Role.ADMIN, null);
        }
        limit.recordFailure(sourceIp);
        throw new DomainException(DomainError.UNAUTHORIZED, "The token is not valid: unknown, expired or revoked");
    }
}
