package dev.slipway.shared.data.postgres;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.net.PublicAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Opens connections to databases named by URLs that come from outside (a linked database, a restore
 * target), with the rules git URLs have: the host must resolve to public addresses only, except that
 * the local runtime ({@code slipway up}) may reach loopback; and TLS is required except on loopback.
 */
public final class DatabaseAccess {
    private final boolean loopbackAllowed;
    /**
     * The stack's own database's endpoint (template.yaml CreateDatabase; {@link StackDatabase}), or null: private in
     * its VPC and the stack's own, so it is not held to the public-address rule (TLS still is).
     */
    private final String stackHost;

    public DatabaseAccess(boolean loopbackAllowed) {
        this(loopbackAllowed, null);
    }

    public DatabaseAccess(boolean loopbackAllowed, String stackHost) {
        this.loopbackAllowed = loopbackAllowed;
        this.stackHost = stackHost;
    }

    private boolean isStackDatabase(DatabaseUrl url) {
        return stackHost != null && url.host().equalsIgnoreCase(stackHost);
    }

    /** Checks the host and TLS rules (resolving the host now); {@code field} names the URL in errors. */
    public void check(DatabaseUrl url, String field) {
        if (isStackDatabase(url) && !loopbackAllowed) {
            if (url.sslMode().equals("disable")) {
                throw new DomainException(DomainError.DATABASE_TLS_REQUIRED, "The stack's database is reached over TLS only",
                        List.of(new FieldError(field, "TLS is required")));
            }
            return;
        }
        InetAddress[] resolved;
        try {
            resolved = InetAddress.getAllByName(url.host());
        } catch (UnknownHostException e) {
            throw new DomainException(DomainError.DATABASE_UNREACHABLE, "The host " + url.host() + " does not resolve",
                    List.of(new FieldError(field, "host does not resolve")));
        }
        boolean allLoopback = true;
        for (InetAddress a : resolved) {
            boolean loopback = a.isLoopbackAddress();
            allLoopback &= loopback;
            if (!(PublicAddress.isPublic(a) || (loopback && loopbackAllowed))) {
                throw new DomainException(DomainError.DATABASE_HOST_NOT_PUBLIC, "The host " + url.host() + " resolves to "
                        + a.getHostAddress() + ", which is not a public address" + (loopback ? " (loopback is allowed only with slipway up)" : ""),
                        List.of(new FieldError(field, "host is not public")));
            }
        }
        if (url.sslMode().equals("disable") && !allLoopback) {
            throw new DomainException(DomainError.DATABASE_TLS_REQUIRED, "sslmode=disable is accepted only for loopback; "
                    + url.host() + " must be reached over TLS", List.of(new FieldError(field, "TLS is required")));
        }
    }

    /**
     * A connection after {@link #check}; a refusal by the server is {@code database-unreachable} with its reason. The
     * address pgjdbc connects to is checked again by the same rule as it connects (the name may resolve differently now).
     */
    public Connection open(DatabaseUrl url, String field) {
        check(url, field);
        try {
            if (isStackDatabase(url) && !loopbackAllowed) {
                return url.server().connect(url.database()); // its private address is the point
            }
            return url.server().connect(url.database(), loopbackAllowed
                    ? AddressCheckingSocketFactory.PUBLIC_OR_LOOPBACK : AddressCheckingSocketFactory.PUBLIC_ONLY);
        } catch (SQLException e) {
            throw unreachable(url, field, e);
        }
    }

    public static DomainException unreachable(DatabaseUrl url, String field, SQLException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (url.password() != null && !url.password().isEmpty()) {
            reason = reason.replace(url.password(), "***");
        }
        reason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        return new DomainException(DomainError.DATABASE_UNREACHABLE, "Connecting to " + url.host() + ":" + url.port() + "/"
                + url.database() + " failed: " + reason, List.of(new FieldError(field, "connection failed")));
    }
}
