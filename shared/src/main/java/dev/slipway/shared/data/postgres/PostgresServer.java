package dev.slipway.shared.data.postgres;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A Postgres server where Slipway may create and drop databases of its own (scratch restores,
 * preview databases, tests): locally the server {@link LocalPostgres} runs, in AWS the stack's
 * scratch server. Connections go over pgjdbc; the credentials never leave this object.
 */
public final class PostgresServer {
    /** The names this class makes and is willing to drop: never a database it did not create. */
    private static final Pattern OWN_NAME = Pattern.compile("slipway_[a-z0-9_]{1,40}");
    private static final Pattern PURPOSE = Pattern.compile("[a-z][a-z0-9]{0,15}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String sslMode;

    /** {@code sslMode} as libpq names it: disable, require, verify-ca, verify-full. */
    public PostgresServer(String host, int port, String user, String password, String sslMode) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.sslMode = sslMode;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** A {@code postgres://} URL of one of its databases, as an app (or the link API) is given one. */
    public String url(String database) {
        String auth = URLEncoder.encode(user, StandardCharsets.UTF_8)
                + (password == null ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8));
        return "postgres://" + auth + "@" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?sslmode=" + sslMode;
    }

    public Connection connect(String database) throws SQLException {
        return connect(database, null);
    }

    /**
     * A connection whose socket is checked by {@link AddressCheckingSocketFactory} with {@code addressRule} (null: no
     * check, for servers Slipway itself names: the local engine, the scratch server).
     */
    Connection connect(String database, String addressRule) throws SQLException {
        Properties p = new Properties();
        if (addressRule != null) {
            p.setProperty("socketFactory", AddressCheckingSocketFactory.class.getName());
            p.setProperty("socketFactoryArg", addressRule);
        }
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("sslmode", sslMode);
        if (sslMode.startsWith("verify")) {
            // the JVM's trust store (public CAs), not libpq's ~/.postgresql/root.crt
            p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        }
        p.setProperty("ApplicationName", "slipway");
        p.setProperty("connectTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        Connection c = new org.postgresql.Driver().connect(jdbcUrl(database), p);
        if (c == null) {
            throw new SQLException("pgjdbc refused " + jdbcUrl(database));
        }
        return c;
    }

    /** A new, empty database {@code slipway_<purpose>_<random>}; close it to drop it. */
    public ScratchDatabase createDatabase(String purpose) throws SQLException {
        if (!PURPOSE.matcher(purpose).matches()) {
            throw new IllegalArgumentException("purpose: " + PURPOSE.pattern());
        }
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        StringBuilder name = new StringBuilder("slipway_").append(purpose).append('_');
        for (byte x : b) {
            name.append(String.format("%02x", x));
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            // template0: nothing an earlier session added to template1 comes along
            s.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
        }
        return new ScratchDatabase(this, name.toString());
    }

    /** Drops one of the databases {@link #createDatabase} made, whoever is still connected to it. */
    public void dropDatabase(String name) throws SQLException {
        if (!OWN_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a database Slipway made: " + name);
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + host + ":" + port + "]"; // never the password
    }
}
