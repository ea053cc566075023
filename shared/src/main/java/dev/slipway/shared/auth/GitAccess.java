package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one place that decides what a git client may do: its {@code Authorization} header in, read
 * or write out. Git sends HTTP Basic (any user name, the token as the password) so credential
 * helpers work; {@code Bearer} is accepted too. Today only the admin token exists and it may push;
 * scoped tokens (viewer reads, deployer and admin push) plug in here.
 */
public final class GitAccess {
    /** What a caller may do with an app's repository. */
    public enum Level { READ, WRITE }

    /** A verified caller: its identity (as {@link AdminAuth#require} gives it) and what it may do. */
    public record Grant(String caller, Level level) {
        public boolean mayWrite() {
            return level == Level.WRITE;
        }
    }

    private static final int MAX_HEADER = 2048;
    private final AdminAuth admin;

    public GitAccess(AdminAuth admin) {
        this.admin = admin;
    }

    /**
     * @param authorization the request's header, or null
     * @throws DomainException UNAUTHORIZED when there is no valid token (the edge answers 401 with
     *     {@code WWW-Authenticate: Basic} so git asks for credentials)
     */
    public Grant decide(String authorization) {
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
        return new Grant(admin.require(bearer), Level.WRITE);
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
