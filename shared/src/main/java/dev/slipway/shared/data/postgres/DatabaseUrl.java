package dev.slipway.shared.data.postgres;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code postgres://user:password@host:port/database?sslmode=…} URL, checked for shape. Its
 * {@link #toString()} never shows the password. {@code sslmode} is {@code require} unless the URL
 * says otherwise ({@code verify-full} also checks the server's certificate against the JVM's trust
 * store; {@code disable} is accepted only for loopback, see {@link DatabaseAccess}).
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, String sslMode) {
    private static final Set<String> SSL_MODES = Set.of("disable", "require", "verify-ca", "verify-full");

    public static DatabaseUrl parse(String url, String field) {
        if (url == null || url.isBlank() || url.length() > 2048) {
            throw invalid(field, "must be a postgres:// URL of at most 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalid(field, "is not a valid URL"); // the message would quote the URL, password and all
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgres") && !scheme.equals("postgresql")) {
            throw invalid(field, "must start with postgres:// or postgresql://");
        }
        String host = uri.getHost();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (host == null || host.isBlank() || path.length() < 2 || path.indexOf('/', 1) >= 0 || uri.getRawFragment() != null) {
            throw invalid(field, "must look like postgres://user:password@host:5432/database");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || userInfo.isBlank()) {
            throw invalid(field, "must name a user (postgres://user:password@host/database)");
        }
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        String sslMode = "require";
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.equals("sslmode") && SSL_MODES.contains(value)) {
                    sslMode = value;
                } else if (name.equals("sslmode")) {
                    throw invalid(field, "sslmode must be one of " + String.join(", ", SSL_MODES.stream().sorted().toList()));
                } else if (!name.equals("pgbouncer") && !name.equals("connect_timeout")) {
                    throw invalid(field, "has the query parameter " + abbreviate(name) + "; only sslmode is used");
                }
            }
        }
        String database = decode(path.substring(1));
        return new DatabaseUrl(host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
                uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password, sslMode);
    }

    public PostgresServer server() {
        return new PostgresServer(host, port, user, password, sslMode);
    }

    /** The same URL (password included): what the secret store keeps. */
    public String secret() {
        return server().url(database);
    }

    @Override
    public String toString() {
        return "postgres://" + user + "@" + host + ":" + port + "/" + database + "?sslmode=" + sslMode;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }

    private static DomainException invalid(String field, String detail) {
        return new DomainException(DomainError.DATABASE_URL_INVALID, field.substring(1) + " " + detail,
                List.of(new FieldError(field, detail)));
    }
}
