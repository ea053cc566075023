package dev.slipway.shared.data.preview;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.data.link.DatabaseLink;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.migrate.Migration;
import dev.slipway.shared.data.migrate.MigrationFiles;
import dev.slipway.shared.data.migrate.TargetDatabases;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.deploy.TransientStepException;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Preview databases (docs/data.md): per app a policy ({@code none} | {@code migrations} | {@code backup}); with one, each
 * preview gets a database of its own on its first deploy (the ApplyMigrations step, before promotion), named
 * {@code <db>_pv_<preview>} on the linked database's server (by the link's user, who must be allowed to CREATE DATABASE),
 * or on the data scratch server when the app has no link (locally: the runtime's Postgres). {@code migrations}: the
 * repository's migrations, then {@code supabase/seed.sql} once; {@code backup}: the newest VERIFIED backup restored, then
 * the migrations newer than it. The preview's server gets the database's URL as {@code DATABASE_URL} (and the other
 * database variables the app has) as values of that preview only. A preview's removal drops it ({@link #sweep}).
 *
 * <p>Kill-safe: the record {@code preview-database#<preview>} is written before the database exists, and the database is
 * dropped before the record goes, so whatever a killed run leaves is found by the next sweep. A step retried while the
 * database was being created drops and creates it again; the seed runs in one transaction with its marker row in the
 * preview's database ({@value #SEED_MARKER}), so it runs once whatever is retried.
 */
public final class PreviewDatabases implements TargetDatabases {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewDatabases.class);
    static final String POLICY = "preview-policy";
    static final String DATABASE = "preview-database#";
    static final String SEED_MARKER = "slipway.preview_seed";
    /** The variable every preview database's URL is given as (the switch's default, DatabaseSwitch). */
    public static final String DATABASE_URL = "DATABASE_URL";
    /** Other names apps read a Postgres URL from: a preview that has one in its scope gets its own database's URL in it too. */
    static final Set<String> OTHER_URL_NAMES = Set.of("POSTGRES_URL", "POSTGRES_PRISMA_URL", "POSTGRES_URL_NON_POOLING", "DIRECT_URL",
            "SUPABASE_DB_URL");
    static final String CREATING = "CREATING";
    static final String CREATED = "CREATED";
    /** A creation claimed by another deployment is waited for this long, then taken over. */
    private static final Duration CLAIM = Duration.ofMinutes(10);
    private static final int ATTEMPTS = 5;

    public enum Mode {
        NONE, MIGRATIONS, BACKUP;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Mode> of(String id) {
            for (Mode m : values()) {
                if (m.id().equals(id)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    /** {@code PUT …/database/preview-policy} {@code {"mode"}}. */
    public record Policy(Mode mode) {
        public static final Policy DEFAULT = new Policy(Mode.NONE);

        public ObjectNode json() {
            return Json.object().put("mode", mode.id());
        }

        public static Policy fromJson(ObjectNode body) {
            JsonObjectReader in = JsonObjectReader.of(body, Set.of("mode"));
            String mode = in.string("mode").orElse(null);
            Optional<Mode> m = Mode.of(mode == null ? "" : mode);
            if (m.isEmpty()) {
                in.error("mode", "must be \"none\", \"migrations\" or \"backup\"");
            }
            in.throwIfInvalid();
            return new Policy(m.orElseThrow());
        }
    }

    private final AppService apps;
    private final DataRecords records;
    private final DatabaseLinks links;
    private final Supplier<PostgresServer> scratch;
    private final Supplier<Backups> backups;
    private final AppEnvironment environment;
    private final PreviewStore previews;
    private final TargetDatabases production;
    private final Clock clock;

    /**
     * @param scratch    the server for apps without a link (locally the runtime's Postgres; in AWS the data scratch server)
     * @param production where production's migrations go (the linked database)
     */
    public PreviewDatabases(AppService apps, DataRecords records, DatabaseLinks links, Supplier<PostgresServer> scratch,
                            Supplier<Backups> backups, AppEnvironment environment, PreviewStore previews, TargetDatabases production,
                            Clock clock) {
        this.apps = apps;
        this.records = records;
        this.links = links;
        this.scratch = scratch;
        this.backups = backups;
        this.environment = environment;
        this.previews = previews;
        this.production = production;
        this.clock = clock;
    }

    // ---- the policy (API)

    public Policy policy(String appId) {
        return records.get(appId, POLICY).map(s -> new Policy(Mode.of(s.body().path("mode").asText()).orElse(Mode.NONE)))
                .orElse(Policy.DEFAULT);
    }

    /** GET: the policy, where preview databases go, and the previews that have one now. */
    public ObjectNode view(String appId) {
        apps.get(AppId.require(appId));
        ObjectNode out = policy(appId).json();
        out.put("server", links.find(appId).isPresent() ? "linked" : "scratch");
        var list = out.putArray("databases");
        for (DataRecords.Stored s : records.list(appId, DATABASE)) {
            ObjectNode v = list.addObject();
            for (String f : List.of("preview", "database", "host", "status", "createdAt", "restoredFrom")) {
                if (s.body().hasNonNull(f)) {
                    v.set(f, s.body().get(f));
                }
            }
        }
        return out;
    }

    public Policy setPolicy(String appId, Policy policy, Actor actor) {
        apps.get(AppId.require(appId));
        if (policy.mode() == Mode.BACKUP && links.find(appId).isEmpty()) {
            throw new DomainException(DomainError.DATABASE_NOT_LINKED, "App " + appId + " has no linked database, so no backup to copy:"
                    + " link one (PUT /apps/" + appId + "/database) or use mode \"migrations\"", List.of(new FieldError("/mode", "needs a linked database")));
        }
        for (int attempt = 1; ; attempt++) {
            Optional<DataRecords.Stored> current = records.get(appId, POLICY);
            try {
                records.put(appId, POLICY, policy.json(), current.map(DataRecords.Stored::version).orElse(0L), null,
                        AuditEvent.next(records.auditHead(appId), appId, clock.instant(), actor, "database.preview-policy.changed",
                                "database/preview-policy", current.map(DataRecords.Stored::body).orElse(Policy.DEFAULT.json()), policy.json()));
                return policy;
            } catch (WriteConflict e) {
                pause(attempt);
            }
        }
    }

    // ---- the deploy workflow's ApplyMigrations

    @Override
    public Optional<Database> find(String appId, DeployTarget target) {
        return find(appId, target, null);
    }

    @Override
    public Optional<Database> find(String appId, DeployTarget target, String deploymentId) {
        if (!(target instanceof DeployTarget.Preview p)) {
            return production.find(appId, target);
        }
        Optional<DataRecords.Stored> existing = records.get(appId, DATABASE + p.name());
        Mode mode = policy(appId).mode();
        if (existing.isEmpty() && mode == Mode.NONE) {
            return Optional.empty();
        }
        if (previews.get(appId, p.name()).isEmpty()) {
            throw new StepFailedException("preview " + p.name() + " was removed while it was being deployed");
        }
        boolean ready = existing.isPresent() && CREATED.equals(existing.get().body().path("status").asText());
        ObjectNode record = ready ? existing.get().body() : create(appId, p.name(), mode, existing.orElse(null), deploymentId);
        return Optional.of(new PreviewDatabase(p.name(), url(appId, p.name()), record, !ready));
    }

    /** The preview database's URL (with its credentials), kept in the data secret store while it exists. */
    private DatabaseUrl url(String appId, String preview) {
        return DatabaseUrl.parse(links.secrets().get(appId, secretName(preview))
                .orElseThrow(() -> new StepFailedException("the URL of preview " + preview + "'s database is missing")), "/url");
    }

    static String secretName(String preview) {
        return "preview-database-" + preview;
    }

    /**
     * Claims the creation for this deployment (a creation another deployment claimed less than {@link #CLAIM} ago is
     * waited for; this deployment's own earlier attempt, killed, is taken over), makes the database, restores it (backup
     * mode) and gives its URL to the preview.
     */
    private ObjectNode create(String appId, String preview, Mode mode, DataRecords.Stored stored, String deploymentId) {
        String claim = deploymentId == null ? "step-" + clock.instant() : deploymentId;
        ObjectNode record;
        for (int attempt = 1; ; attempt++) {
            if (stored != null && CREATED.equals(stored.body().path("status").asText())) {
                return stored.body();
            }
            if (stored != null && !claim.equals(stored.body().path("claim").asText())
                    && Instant.parse(stored.body().get("claimedAt").asText()).isAfter(clock.instant().minus(CLAIM))) {
                throw new TransientStepException("the database of preview " + preview + " is being created by deployment "
                        + stored.body().path("claim").asText() + "; trying again");
            }
            record = stored != null ? stored.body().deepCopy() : newRecord(appId, preview, mode);
            String newUrl = stored == null ? record.remove("url").asText() : null;
            record.put("status", CREATING);
            record.put("claimedAt", clock.instant().toString());
            record.put("claim", claim);
            try {
                if (newUrl != null) {
                    // the URL first, then the record, then the database: a record always finds its database's server
                    links.secrets().put(appId, secretName(preview), newUrl);
                }
                long v = records.put(appId, DATABASE + preview, record, stored == null ? 0 : stored.version(), null, null);
                stored = new DataRecords.Stored(record, v);
                break;
            } catch (WriteConflict e) {
                pause(attempt);
                stored = records.get(appId, DATABASE + preview).orElse(null);
            }
        }
        DatabaseUrl url = url(appId, preview);
        PostgresServer server = url.server();
        String name = record.get("database").asText();
        String role = record.path("role").asText(null);
        String rolePassword = role == null ? null : HexFormat.of().formatHex(randomBytes(24));
        try (Connection c = server.connect(record.get("maintenance").asText()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + quoted(name) + " WITH (FORCE)"); // what a killed attempt left
            if (role != null) {
                s.execute("DROP ROLE IF EXISTS " + quoted(role));
                s.execute("CREATE ROLE " + quoted(role) + " LOGIN PASSWORD '" + rolePassword + "'");
                s.execute("CREATE DATABASE " + quoted(name) + " OWNER " + quoted(role));
                // its owner (and Slipway) only: other previews' roles on this server cannot even connect
                s.execute("REVOKE ALL ON DATABASE " + quoted(name) + " FROM PUBLIC");
            } else {
                s.execute("CREATE DATABASE " + quoted(name));
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new StepFailedException("preview " + preview + " gets a database of its own (the app's preview-policy is "
                        + mode.id() + "), but the user " + url.user() + " may not create databases on " + url.host() + ": "
                        + firstLine(e.getMessage()) + ". Grant it CREATEDB (ALTER ROLE " + url.user() + " CREATEDB), or set the"
                        + " preview-policy to \"none\"");
            }
            throw transientOrFailed("creating the database of preview " + preview, e);
        }
        if (role != null) {
            try (Connection c = server.connect(name); Statement s = c.createStatement()) {
                // migrations and restores run as the server's user: what they make, the preview's role may use; and in
                // public, where the app looks, not in a schema named after that user ("$user": Slipway's own is there)
                s.execute("ALTER DATABASE " + quoted(name) + " SET search_path TO public");
                s.execute("GRANT ALL ON SCHEMA public TO " + quoted(role));
                for (String kind : List.of("TABLES", "SEQUENCES", "FUNCTIONS", "TYPES", "SCHEMAS")) {
                    s.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + quoted(server.user()) + " GRANT ALL ON " + kind + " TO " + quoted(role));
                }
            } catch (SQLException e) {
                throw transientOrFailed("granting preview " + preview + "'s role its database", e);
            }
        }
        if (Mode.BACKUP.id().equals(record.path("mode").asText())) {
            Optional<String> restored;
            try (Connection c = server.connect(name)) {
                restored = backups.get().restoreNewest(appId, c);
            } catch (SQLException | IOException e) {
                throw new StepFailedException("restoring the latest backup into preview " + preview + "'s database failed: " + firstLine(e.getMessage()));
            }
            if (restored.isEmpty()) {
                throw new StepFailedException("preview " + preview + " gets a copy of the latest backup (preview-policy \"backup\"),"
                        + " but the app has no VERIFIED backup yet: take one (POST /apps/" + appId + "/database/backups) or use mode \"migrations\"");
            }
            record.put("restoredFrom", restored.get());
        }
        // a database on the scratch server is the app's through its own role (a sandboxed server's tunnel to the runtime's
        // Postgres needs a password), never the server's user
        String appUrl = role == null ? url.secret()
                : new DatabaseUrl(url.host(), url.port(), name, role, rolePassword, url.sslMode()).secret();
        Map<String, String> values = new TreeMap<>();
        values.put(DATABASE_URL, appUrl);
        environment.values(appId, EnvScope.PREVIEW).keySet().stream().filter(OTHER_URL_NAMES::contains).forEach(n -> values.put(n, appUrl));
        environment.putPreviewValues(appId, preview, values);
        record.put("status", CREATED);
        record.put("createdAt", clock.instant().toString());
        record.put("variables", String.join(",", values.keySet()));
        record.remove("claimedAt");
        ObjectNode audited = audited(record);
        for (int attempt = 1; ; attempt++) {
            try {
                records.put(appId, DATABASE + preview, record, stored.version(), null, AuditEvent.next(records.auditHead(appId), appId,
                        clock.instant(), workflowActor(), "database.preview.created", "database/preview/" + preview, null, audited));
                return record;
            } catch (WriteConflict e) {
                pause(attempt);
                DataRecords.Stored now = records.get(appId, DATABASE + preview).orElseThrow(() -> new TransientStepException("the record of"
                        + " preview " + preview + "'s database went while it was created; trying again"));
                if (!claim.equals(now.body().path("claim").asText()) || CREATED.equals(now.body().path("status").asText())) {
                    throw new TransientStepException("the database of preview " + preview + " was taken over; trying again");
                }
                stored = now;
            }
        }
    }

    private ObjectNode newRecord(String appId, String preview, Mode mode) {
        ObjectNode r = Json.object();
        r.put("preview", preview);
        r.put("mode", mode.id());
        Optional<DatabaseLink> link = links.find(appId);
        DatabaseUrl base;
        String server;
        if (link.isPresent()) {
            base = links.url(appId);
            server = "linked";
        } else {
            PostgresServer s = scratch.get();
            base = DatabaseUrl.parse(s.url("postgres"), "/url");
            server = "scratch";
        }
        String name = databaseName(link.isPresent() ? base.database() : "slipway_" + appId.replace('-', '_'), preview);
        r.put("server", server);
        r.put("kind", link.map(DatabaseLink::kind).orElse("postgres"));
        r.put("host", base.host());
        r.put("database", name);
        r.put("maintenance", base.database());
        r.put("url", new DatabaseUrl(base.host(), base.port(), name, base.user(), base.password(), base.sslMode()).secret());
        if (link.isEmpty()) {
            r.put("role", name); // its login role: recorded before it exists, dropped after its database
        }
        return r;
    }

    /** {@code <db>_pv_<preview>} in Postgres's 63 bytes: a long base is cut and made unique by a hash of it. */
    static String databaseName(String base, String preview) {
        String b = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String suffix = "_pv_" + preview.replace('-', '_');
        if (b.length() + suffix.length() <= 63) {
            return b + suffix;
        }
        String hash = sha256(b).substring(0, 8);
        return b.substring(0, 63 - suffix.length() - 9) + "_" + hash + suffix;
    }

    /** One preview's database, as the step sees it; {@link #migrated} says what was made and seeds it once. */
    private final class PreviewDatabase implements Database {
        private final String preview;
        private final DatabaseUrl url;
        private final ObjectNode record;
        private final boolean created;

        PreviewDatabase(String preview, DatabaseUrl url, ObjectNode record, boolean created) {
            this.preview = preview;
            this.url = url;
            this.record = record;
            this.created = created;
        }

        @Override
        public String describe() {
            return "preview " + preview + "'s own database (" + url.host() + "/" + url.database() + ")";
        }

        @Override
        public Connection connect() throws SQLException {
            return url.server().connect(url.database());
        }

        @Override
        public boolean madeBySlipway() {
            return true;
        }

        @Override
        public Optional<String> migrated(Map<String, byte[]> files) throws SQLException {
            String made = !created ? null : "created " + describe() + (record.hasNonNull("restoredFrom")
                    ? " from backup " + record.get("restoredFrom").asText() : "");
            Optional<String> seeded = Mode.MIGRATIONS.id().equals(record.path("mode").asText()) ? seed(files) : Optional.empty();
            return made == null ? seeded : Optional.of(made + seeded.map(x -> ", " + x).orElse(""));
        }

        private Optional<String> seed(Map<String, byte[]> files) throws SQLException {
            Optional<Migration> seed = MigrationFiles.seed(files);
            if (seed.isEmpty()) {
                return Optional.empty();
            }
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    // one seed per database, whatever runs at once or again: the marker row commits with the seed
                    s.execute("CREATE SCHEMA IF NOT EXISTS slipway");
                    s.execute("CREATE TABLE IF NOT EXISTS " + SEED_MARKER + " (path text primary key, checksum text not null,"
                            + " seeded_at timestamptz not null default now())");
                    c.commit();
                    s.execute("LOCK TABLE " + SEED_MARKER + " IN EXCLUSIVE MODE");
                    try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + SEED_MARKER)) {
                        r.next();
                        if (r.getLong(1) > 0) {
                            c.rollback();
                            return Optional.of("seeded before");
                        }
                    }
                    try {
                        s.execute(seed.get().sql());
                    } catch (SQLException e) {
                        c.rollback();
                        throw new StepFailedException(seed.get().path() + " failed on preview " + preview + "'s database: "
                                + firstLine(e.getMessage()) + "; it was rolled back");
                    }
                    try (var ps = c.prepareStatement("INSERT INTO " + SEED_MARKER + " (path, checksum) VALUES (?, ?)")) {
                        ps.setString(1, seed.get().path());
                        ps.setString(2, seed.get().checksum());
                        ps.executeUpdate();
                    }
                    c.commit();
                    return Optional.of("seeded from " + seed.get().path());
                }
            }
        }
    }

    // ---- removal

    /** What a sweep did: databases dropped, and those that could not be dropped now (left for the next one). */
    public record SweepRun(int dropped, int failed) {
    }

    /** Drops the databases (and values) of the app's previews that no longer exist, each with its audit event. */
    public SweepRun sweep(String appId) {
        int dropped = 0;
        int failed = 0;
        for (DataRecords.Stored s : records.list(appId, DATABASE)) {
            String preview = s.body().get("preview").asText();
            if (previews.get(appId, preview).isPresent()) {
                continue;
            }
            try {
                drop(appId, preview, s);
                dropped++;
            } catch (RuntimeException | SQLException e) {
                LOG.warn("dropping the database of removed preview {} of {} failed: {}; the next sweep tries again", preview, appId, e.toString());
                failed++;
            }
        }
        return new SweepRun(dropped, failed);
    }

    /** Every app's removed previews' databases (the data schedule). */
    public SweepRun sweepAll() {
        int dropped = 0;
        int failed = 0;
        for (String appId : appsWithDatabases()) {
            SweepRun r = sweep(appId);
            dropped += r.dropped();
            failed += r.failed();
        }
        return new SweepRun(dropped, failed);
    }

    private List<String> appsWithDatabases() {
        List<String> out = new ArrayList<>();
        for (String appId : records.appsWith(POLICY)) {
            if (!out.contains(appId)) {
                out.add(appId);
            }
        }
        return out;
    }

    private void drop(String appId, String preview, DataRecords.Stored s) throws SQLException {
        Optional<String> secret = links.secrets().get(appId, secretName(preview));
        if (secret.isPresent()) {
            DatabaseUrl url = DatabaseUrl.parse(secret.get(), "/url");
            String name = s.body().get("database").asText();
            if (!name.equals(url.database())) {
                throw new IllegalStateException("the record and the URL of preview " + preview + "'s database disagree");
            }
            try (Connection c = url.server().connect(s.body().get("maintenance").asText()); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + quoted(name) + " WITH (FORCE)");
                String role = s.body().path("role").asText(null);
                if (role != null) {
                    st.execute("DROP ROLE IF EXISTS " + quoted(role));
                }
            }
        }
        environment.removePreviewValues(appId, preview);
        links.secrets().remove(appId, secretName(preview));
        for (int attempt = 1; ; attempt++) {
            DataRecords.Stored now = records.get(appId, DATABASE + preview).orElse(null);
            if (now == null) {
                return;
            }
            try {
                records.delete(appId, DATABASE + preview, now.version(), AuditEvent.next(records.auditHead(appId), appId, clock.instant(),
                        workflowActor(), "database.preview.dropped", "database/preview/" + preview, audited(now.body()), null));
                return;
            } catch (WriteConflict e) {
                pause(attempt);
            }
        }
    }

    // ---- helpers

    private static ObjectNode audited(ObjectNode record) {
        ObjectNode a = Json.object();
        for (String f : List.of("preview", "mode", "server", "host", "database", "restoredFrom", "variables")) {
            if (record.hasNonNull(f)) {
                a.set(f, record.get(f));
            }
        }
        return a;
    }

    private static Actor workflowActor() {
        return new Actor("deploy-workflow", null, null);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static RuntimeException transientOrFailed(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("55006")) {
            // cannot connect, the server went away, the template database is busy: worth another attempt
            return new TransientStepException(what + " failed for now: " + firstLine(e.getMessage()));
        }
        return new StepFailedException(what + " failed: " + firstLine(e.getMessage()));
    }

    private static String firstLine(String s) {
        String m = s == null ? "" : s.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause(int attempt) {
        if (attempt >= ATTEMPTS) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The app's data records kept changing; retry");
        }
        Transactions.pauseAfterConflict(attempt);
    }
}
