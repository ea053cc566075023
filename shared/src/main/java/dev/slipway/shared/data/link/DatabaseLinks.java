package dev.slipway.shared.data.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.postgres.DatabaseAccess;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;

/**
 * Linking an app's database: the URL is checked (shape, host, TLS), connected to, then kept in the
 * database secret store (SSM SecureString in AWS, AES-GCM file locally; apart from the environment
 * builds read) and never shown again; the data table keeps what may be shown ({@link DatabaseLink}),
 * written with its audit event. {@link #connect} is how other features reach the linked database.
 */
public final class DatabaseLinks {
    static final String RECORD = "link";
    static final String SECRET = "database-url";
    private static final int ATTEMPTS = 5;

    private final AppService apps;
    private final DataRecords records;
    private final DatabaseSecrets secrets;
    private final DatabaseAccess access;
    private final Clock clock;

    public DatabaseLinks(AppService apps, DataRecords records, DatabaseSecrets secrets, DatabaseAccess access, Clock clock) {
        this.apps = apps;
        this.records = records;
        this.secrets = secrets;
        this.access = access;
        this.clock = clock;
    }

    public DatabaseAccess access() {
        return access;
    }

    public DatabaseSecrets secrets() {
        return secrets;
    }

    /** Links (or re-links) the app's database after a successful connection check. */
    public DatabaseLink link(String appId, LinkRequest request, Actor actor) {
        apps.get(AppId.require(appId));
        DatabaseLink.Check check;
        try (Connection c = access.open(request.url(), "/url")) {
            check = new DatabaseLink.Check(clock.instant(), true, serverVersion(c), null);
        } catch (SQLException e) {
            throw DatabaseAccess.unreachable(request.url(), "/url", e);
        }
        DatabaseUrl url = request.url();
        DatabaseLink link = new DatabaseLink(appId, request.kind(), url.host(), url.port(), url.database(), url.user(), url.sslMode(),
                clock.instant(), actor.id(), check);
        for (int attempt = 1; ; attempt++) {
            Optional<DataRecords.Stored> current = records.get(appId, RECORD);
            ObjectNode before = current.map(DataRecords.Stored::body).orElse(null);
            try {
                records.put(appId, RECORD, link.view(), current.map(DataRecords.Stored::version).orElse(0L), null,
                        AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor,
                                current.isPresent() ? "database.relinked" : "database.linked", "database/" + appId, before, link.view()));
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        // After the record and its event: a failure here is a 5xx, and the retry writes it.
        secrets.put(appId, SECRET, url.secret());
        return link;
    }

    public DatabaseLink get(String appId) {
        apps.get(AppId.require(appId));
        return records.get(appId, RECORD).map(s -> DatabaseLink.of(s.body()))
                .orElseThrow(() -> new DomainException(DomainError.DATABASE_NOT_LINKED, "App " + appId + " has no linked database"));
    }

    public Optional<DatabaseLink> find(String appId) {
        return records.get(appId, RECORD).map(s -> DatabaseLink.of(s.body()));
    }

    /**
     * Whether the app's linked database is on {@code host} (the stack database's endpoint): read from the data table
     * alone, by the deploy functions, which place such an app's server in that database's VPC.
     */
    public static boolean linkedTo(DataRecords records, String appId, String host) {
        return records.get(appId, RECORD).map(s -> DatabaseLink.of(s.body()).isOn(host)).orElse(false);
    }

    /** Forgets the link and its URL; backups already made stay. */
    public void unlink(String appId, Actor actor) {
        apps.get(AppId.require(appId));
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored current = records.get(appId, RECORD)
                    .orElseThrow(() -> new DomainException(DomainError.DATABASE_NOT_LINKED, "App " + appId + " has no linked database"));
            try {
                records.delete(appId, RECORD, current.version(), AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor,
                        "database.unlinked", "database/" + appId, current.body(), null));
                break;
            } catch (WriteConflict e) {
                retryOrGiveUp(attempt);
            }
        }
        secrets.remove(appId, SECRET);
    }

    /** The linked database's URL, password included: for the data features, never for an answer. */
    public DatabaseUrl url(String appId) {
        String secret = secrets.get(appId, SECRET).orElse(null);
        if (secret == null || find(appId).isEmpty()) {
            throw new DomainException(DomainError.DATABASE_NOT_LINKED, "App " + appId + " has no linked database");
        }
        return DatabaseUrl.parse(secret, "/url");
    }

    /** A JDBC connection to the app's linked database, by the same host and TLS rules as the link. The caller closes it. */
    public Connection connect(String appId) {
        return access.open(url(appId), "/url");
    }

    /** Records a connection check's outcome on the link (no audit event: a check changes no state the owner set). */
    public void recordCheck(String appId, DatabaseLink.Check check) {
        records.get(appId, RECORD).ifPresent(s -> {
            try {
                records.put(appId, RECORD, DatabaseLink.of(s.body()).withCheck(check).view(), s.version(), null, null);
            } catch (WriteConflict ignored) {
                // a concurrent re-link wrote a fresher check
            }
        });
    }

    public static String serverVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW server_version")) {
            r.next();
            return r.getString(1);
        }
    }

    private static void retryOrGiveUp(int attempt) {
        if (attempt >= ATTEMPTS) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The database link changed while this request ran; retry it");
        }
        Transactions.pauseAfterConflict(attempt);
    }
}
