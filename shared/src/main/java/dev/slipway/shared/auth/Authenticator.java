package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.util.HexFormat;

/**
 * Who is calling: {@code Authorization: Bearer} with a scoped token ({@code slwt_…}) or the bootstrap
 * admin token. Every secret is compared as a SHA-256 digest with {@link java.security.MessageDigest#isEqual}.
 * Wrong tokens count against their source ({@link FailedAuthLimit}): past its limit, 429 instead of 401.
 */
public final class Authenticator {
    private static final int MAX_TOKEN_LENGTH = 512;

    private final AdminAuth admin;
    private final TokenService tokens;
    private final FailedAuthLimit limit;

    public Authenticator(AdminAuth admin, TokenService tokens, FailedAuthLimit limit) {
        this.admin = admin;
        this.tokens = tokens;
        this.limit = limit;
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
