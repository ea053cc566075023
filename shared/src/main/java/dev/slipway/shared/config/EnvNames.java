package dev.slipway.shared.config;

/** Names of the environment variables template.yaml sets for the functions. One place, no typos. */
public final class EnvNames {
    public static final String APPS_TABLE = "APPS_TABLE";
    public static final String AUDIT_TABLE = "AUDIT_TABLE";
    /** The table of Idempotency-Key records every POST route writes (the HTTP edge's Idempotency-Key handling). */
    public static final String IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE";
    public static final String ARTIFACTS_BUCKET = "ARTIFACTS_BUCKET";
    /** The stack's npm registry (template parameter NpmRegistryUrl): builds install from it unless the app names its own. */
    public static final String NPM_REGISTRY_URL = "NPM_REGISTRY_URL";
    /** SSM parameter holding the SHA-256 (hex) of the admin token. */
    public static final String ADMIN_TOKEN_HASH_PARAMETER = "ADMIN_TOKEN_HASH_PARAMETER";
    /** The hash itself; the local runtime sets this instead of running SSM. */
    public static final String ADMIN_TOKEN_SHA256 = "ADMIN_TOKEN_SHA256";
    /** The table of scoped tokens, deploy hooks, GitHub sources and failed-authentication counters. */
    public static final String ACCESS_TABLE = "ACCESS_TABLE";
    /** Failed authentications a source address may have per minute before 429 (default 30). */
    public static final String FAILED_AUTH_PER_MINUTE = "FAILED_AUTH_PER_MINUTE";
    /** The GitHub sync worker the webhook invokes asynchronously (its function name or ARN). */
    public static final String GITHUB_SYNC_FUNCTION = "GITHUB_SYNC_FUNCTION";
    /** SSM path of the GitHub sources' webhook secrets and repository tokens (AWS); builds never read it. */
    public static final String SOURCE_SECRETS_PARAMETER_PREFIX = "SOURCE_SECRETS_PARAMETER_PREFIX";
    /** Folder of the locally encrypted source secrets (the local runtime sets it instead). */
    public static final String SOURCE_SECRETS_LOCAL_DIR = "SOURCE_SECRETS_LOCAL_DIR";
    /**
     * Tests only ("true"): the GitHub sync's git-URL fetches may reach loopback without checking TLS, so a
     * test can serve a repository locally. template.yaml never sets it (ConnectEndToEndTest checks).
     */
    public static final String GIT_URL_LOOPBACK_FOR_TESTS = "GIT_URL_LOOPBACK_FOR_TESTS";
    public static final String SLIPWAY_VERSION = "SLIPWAY_VERSION";
    /** The table of git refs and pack lists. */
    public static final String GIT_TABLE = "GIT_TABLE";
    /** SSM path under which app environment variables are kept as SecureStrings (in AWS). */
    public static final String APP_ENV_PARAMETER_PREFIX = "APP_ENV_PARAMETER_PREFIX";
    /** Folder of the locally encrypted app environment (the local runtime sets it instead). */
    public static final String APP_ENV_LOCAL_DIR = "APP_ENV_LOCAL_DIR";
    /** SSM path under which mirror tokens are kept as SecureStrings, apart from the app environment (no build reads it). */
    public static final String MIRROR_SECRET_PARAMETER_PREFIX = "MIRROR_SECRET_PARAMETER_PREFIX";
    /** Import limits; template.yaml and the local runtime may lower or raise the defaults. */
    public static final String IMPORT_MAX_ENTRIES = "IMPORT_MAX_ENTRIES";
    public static final String IMPORT_MAX_TOTAL_BYTES = "IMPORT_MAX_TOTAL_BYTES";
    public static final String IMPORT_MAX_FILE_BYTES = "IMPORT_MAX_FILE_BYTES";
    public static final String UPLOAD_MAX_BYTES = "UPLOAD_MAX_BYTES";
    /**
     * Ports a git-URL import may connect to, separated by commas; default {@code 443} (template.yaml
     * leaves it unset). Tests that serve git on a loopback port of their own set it.
     */
    public static final String GIT_URL_ALLOWED_PORTS = "GIT_URL_ALLOWED_PORTS";
    /** Where imports unpack (always removed afterwards); default: java.io.tmpdir (/tmp in Lambda). */
    public static final String IMPORT_TEMP_DIR = "IMPORT_TEMP_DIR";

    /** The table of releases, deployments and aliases. */
    public static final String RELEASES_TABLE = "RELEASES_TABLE";
    /** The deploy state machine the deployments API starts. */
    public static final String DEPLOY_STATE_MACHINE_ARN = "DEPLOY_STATE_MACHINE_ARN";
    /**
     * How a site is reached: a URL with {@code {host}} where the host label goes ({@code shop},
     * {@code <releaseId>--shop}), e.g. {@code https://{host}.apps.example.com/}; locally
     * {@code http://{host}.localhost:PORT/}. Unset: there is no edge domain, and no smoke check.
     */
    public static final String SITE_URL_PATTERN = "SITE_URL_PATTERN";

    private EnvNames() {
    }

    /**
     * A Postgres server (postgres:// URL with credentials) where the data features create and drop
     * scratch databases of their own (verify restores, previews). Locally the runtime's on-demand
     * Postgres; in AWS the URL is in the SSM SecureString {@link #DATA_SCRATCH_URL_PARAMETER} names.
     */
    public static final String DATA_SCRATCH_URL = "DATA_SCRATCH_URL";
    /** SSM SecureString holding the scratch server's URL (AWS). */
    public static final String DATA_SCRATCH_URL_PARAMETER = "DATA_SCRATCH_URL_PARAMETER";
    /**
     * The stack's own database (template.yaml CreateDatabase; data/postgres/StackDatabase): under {@code slipway up}
     * {@link #STACK_DATABASE_URL}, a superuser URL of the runtime's Postgres; in AWS the cluster's endpoint (empty when
     * the stack has none), and, in the data jobs only, the master login CodeBuild reads from the cluster's secret.
     */
    public static final String STACK_DATABASE_URL = "STACK_DATABASE_URL";
    public static final String STACK_DATABASE_HOST = "STACK_DATABASE_HOST";
    public static final String STACK_DATABASE_PORT = "STACK_DATABASE_PORT";
    public static final String STACK_DATABASE_USER = "STACK_DATABASE_USER";
    public static final String STACK_DATABASE_PASSWORD = "STACK_DATABASE_PASSWORD";
    /** The data table: per app, the database link, backups, restores and data settings. */
    public static final String DATA_TABLE = "DATA_TABLE";
    /** SSM path of the linked databases' URLs (AWS), apart from the app environment builds read. */
    public static final String DATABASE_SECRETS_PARAMETER_PREFIX = "DATABASE_SECRETS_PARAMETER_PREFIX";
    /** Folder of the locally encrypted database URLs (the local runtime sets it instead). */
    public static final String DATABASE_SECRETS_LOCAL_DIR = "DATABASE_SECRETS_LOCAL_DIR";
    /** The data workflow (statemachines/data.asl.json) the backup and restore routes start. */
    public static final String DATA_STATE_MACHINE_ARN = "DATA_STATE_MACHINE_ARN";
    /**
     * The data function a removed preview's database is dropped by, invoked asynchronously by the previews API and the
     * cleanup (absent: the data schedule's next run drops it).
     */
    public static final String PREVIEW_DATABASES_FUNCTION = "PREVIEW_DATABASES_FUNCTION";
    /** How long a RUNNING backup may go without progress before the schedule marks it FAILED (seconds; default 1200). */
    public static final String BACKUP_LEASE_SECONDS = "BACKUP_LEASE_SECONDS";
}
