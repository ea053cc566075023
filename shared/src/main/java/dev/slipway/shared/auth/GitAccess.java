package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one place that decides what a git client may do: its {@code Authorization} header in, read
 * or write out. Git sends HTTP Basic (any user name, the token as the password) so credential
 * helpers work; {@code Bearer} is accepted too. The token is checked as every API token is
 * ({@link Authenticator}: scoped or bootstrap, failed attempts limited) against the route's rule in
 * {@link RouteAccess}; a viewer reads, a deployer or admin of the app may push.
 */
public final class GitAccess {
    /** What a caller may do with an app's repository. */
    public enum Level { READ, WRITE }

    /** A verified caller: who it is and what it may do. */
    public record Grant(Principal principal, Level level) {
        public String caller() {
            return principal.callerKey();
        }

        public boolean mayWrite() {
            return level == Level.WRITE;
        }
    }

    private static final int MAX_HEADER = 2048;
    private final Authenticator auth;

    public GitAccess(Authenticator auth) {
        this.auth = auth;
    }

    /**
     * @param routeKey the git route called (its rule in {@link RouteAccess} says the role it needs)
     * @param appId the app whose repository it is
     * @param authorization the request's header, or null
     * @throws DomainException UNAUTHORIZED when there is no valid token (the edge answers 401 with
     *     {@code WWW-Authenticate: Basic} so git asks for credentials)
     */
    public Grant decide(String routeKey, String appId, String authorization, String sourceIp) {
        if (authorization == null || authorization.isEmpty()) {
            throw new DomainException(DomainError.UNAUTHORIZED, "Git needs a token: any user name, the token as the password");
        }
        if (authorization.length() > MAX_HEADER) {
            throw new DomainException(DomainError.UNAUTHORIZED, "The Authorization header is too long");
        }
        String bearer = authorization;
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String password = basicPassword(authorization.substring(6));
            if (password == null) {
                throw new DomainException(DomainError.UNAUTHORIZED, "Send HTTP Basic with the token as the password");
            }
            bearer = "Bearer " + password;
        }
        Principal who = auth.authenticate(bearer, sourceIp);
        RouteAccess.require(RouteAccess.rule(routeKey).orElseThrow(), who, appId);
        return new Grant(who, who.role().covers(Role.DEPLOYER) ? Level.WRITE : Level.READ);
    }

    /** The password of a Basic credential (user:password, base64), or null when it is not one. */
    static String basicPassword(String encoded) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair = new String(raw, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 || colon == pair.length() - 1 ? null : pair.substring(colon + 1);
    }
}
