package dev.slipway.shared.auth;

import java.util.Locale;

/** What a token may do, each role including the ones before it. */
public enum Role {
    /** Reads its apps: apps, commits, deployments, releases, previews, audit. */
    VIEWER,
    /** Also imports, deploys, previews, rolls back, promotes and pins its apps. */
    DEPLOYER,
    /** Everything: tokens, environment values, cleanup, apps. */
    ADMIN;

    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a JSON value names, or null. */
    public static Role fromWire(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return r;
            }
        }
        return null;
    }
}
