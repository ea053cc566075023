package dev.slipway.shared.config;

/** Names of the environment variables template.yaml sets for the functions. One place, no typos. */
public final class EnvNames {
    public static final String APPS_TABLE = "APPS_TABLE";
    public static final String AUDIT_TABLE = "AUDIT_TABLE";
    public static final String ARTIFACTS_BUCKET = "ARTIFACTS_BUCKET";
    /** SSM parameter holding the SHA-256 (hex) of the admin token. */
    public static final String ADMIN_TOKEN_HASH_PARAMETER = "ADMIN_TOKEN_HASH_PARAMETER";
    /** The hash itself; the local runtime sets this instead of running SSM. */
    public static final String ADMIN_TOKEN_SHA256 = "ADMIN_TOKEN_SHA256";
    public static final String SLIPWAY_VERSION = "SLIPWAY_VERSION";

    private EnvNames() {
    }
}
