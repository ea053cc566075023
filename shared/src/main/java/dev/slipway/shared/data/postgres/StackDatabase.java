package dev.slipway.shared.data.postgres;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stack's own Postgres server, where a move with {@code {"target":"stack"}} gives an app a database and a login
 * role of its own ({@code app_<appId>}, the role owning the database; no other role may connect). In AWS the Aurora
 * Serverless v2 cluster template.yaml creates with CreateDatabase: its endpoint is in every data function's
 * environment, its master login only in the data jobs' (CodeBuild reads it from the cluster's secret), which run in
 * its VPC. Under {@code slipway up} the runtime's Postgres, as DynamoDB Local stands in for DynamoDB.
 */
public final class StackDatabase {
    private static final Pattern APP_ID = Pattern.compile("[a-z][a-z0-9-]{1,39}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String host;
    private final int port;
    private final String sslMode;
    /** Where its master login connects (null where this environment has none: the API's functions). */
    private final PostgresServer master;

    private StackDatabase(String host, int port, String user, String password, String sslMode) {
        this.host = host;
        this.port = port;
        this.sslMode = sslMode;
        this.master = user == null ? null : new PostgresServer(host, port, user, password, sslMode);
    }

    /** The stack's database as this environment knows it, or empty when the stack has none. */
    public static Optional<StackDatabase> from(Config config) {
        Optional<String> local = config.get(EnvNames.STACK_DATABASE_URL);
        if (local.isPresent()) {
            DatabaseUrl u = DatabaseUrl.parse(local.get(), "/stack");
            return Optional.of(new StackDatabase(u.host(), u.port(), u.user(), u.password(), u.sslMode()));
        }
        return config.get(EnvNames.STACK_DATABASE_HOST).map(host -> new StackDatabase(host,
                config.get(EnvNames.STACK_DATABASE_PORT).map(Integer::parseInt).orElse(5432),
                config.get(EnvNames.STACK_DATABASE_USER).orElse(null),
                config.get(EnvNames.STACK_DATABASE_PASSWORD).orElse(null), "require"));
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The cluster with its master login, where this environment has it (the data jobs): a scratch server too. */
    public Optional<PostgresServer> master() {
        return Optional.ofNullable(master);
    }

    /** The app's database (and role) name: {@code app_} and the app id with {@code _} for {@code -}. */
    public static String databaseOf(String appId) {
        if (!APP_ID.matcher(appId).matches()) {
            throw new IllegalArgumentException("not an app id: " + appId);
        }
        return "app_" + appId.replace('-', '_');
    }

    /**
     * Makes the app's role (a new password each time: a retried job hands out a fresh URL) and its database if
     * missing, which only that role (and the master) may connect to; answers the URL the app connects with.
     */
    public DatabaseUrl provision(String appId) throws SQLException {
        if (master == null) {
            throw new IllegalStateException("the stack database's login is not in this environment (the data jobs have it)");
        }
        String name = databaseOf(appId); // [a-z0-9_]: safe as an identifier, quoted all the same
        String appPassword = HexFormat.of().formatHex(randomBytes());
        try (Connection c = master.connect("postgres");
             Statement s = c.createStatement()) {
            String verb = exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", name) ? "ALTER" : "CREATE";
            s.execute(verb + " ROLE \"" + name + "\" LOGIN PASSWORD '" + appPassword + "'");
            // Postgres 16 lets a role create a database owned by another only as a member of it (Aurora's master is
            // not a superuser)
            s.execute("GRANT \"" + name + "\" TO CURRENT_USER");
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
                s.execute("CREATE DATABASE \"" + name + "\" OWNER \"" + name + "\" TEMPLATE template0 ENCODING 'UTF8'");
            }
            s.execute("REVOKE ALL ON DATABASE \"" + name + "\" FROM PUBLIC");
        }
        return new DatabaseUrl(host, port, name, name, appPassword, sslMode);
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, name);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return b;
    }

    @Override
    public String toString() {
        return "StackDatabase[" + host + ":" + port + "]"; // never the login
    }
}
