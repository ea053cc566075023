package dev.slipway.shared.auth;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * THE table of who may call what: every API route's role, and whether its {@code {appId}} limits it to
 * a token's apps. A router cannot be built with a route missing here, and RouteAccessTest fails when a
 * route of template.yaml has no entry. {@link Rule#OWN_SECRET} routes carry their own secret in the
 * request (a hook URL, a signed webhook) or need none (/health); the router sends no token check there.
 * Git routes have their roles here too but check the token themselves ({@link GitAccess}), as git
 * needs HTTP Basic and its own 401.
 */
public final class RouteAccess {
    /**
     * What a route needs. {@code role} null: the route checks its own secret. {@code routeChecksToken}:
     * the route authenticates the caller itself (git), against this rule.
     */
    public record Rule(Role role, boolean perApp, boolean routeChecksToken) {
        public static final Rule OWN_SECRET = new Rule(null, false, true);

        static Rule app(Role role) {
            return new Rule(role, true, false);
        }

        static Rule global(Role role) {
            return new Rule(role, false, false);
        }

        /** Whether the router checks the token before the route runs. */
        public boolean routerChecksToken() {
            return role != null && !routeChecksToken;
        }
    }

    private static final Map<String, Rule> TABLE = new LinkedHashMap<>();

    static {
        open("GET /health");
        // Apps: the list is filtered to the token's apps by the handler.
        global("POST /apps", Role.ADMIN);
        global("GET /apps", Role.VIEWER);
        app("GET /apps/{appId}", Role.VIEWER);
        app("PATCH /apps/{appId}", Role.ADMIN);
        // Environment: names and scopes to readers, values only ever written, by admins.
        app("GET /apps/{appId}/environment", Role.VIEWER);
        app("PATCH /apps/{appId}/environment", Role.ADMIN);
        // Audit.
        app("GET /apps/{appId}/audit", Role.VIEWER);
        app("GET /apps/{appId}/audit/verify", Role.VIEWER);
        app("POST /apps/{appId}/audit/export", Role.ADMIN);
        app("GET /apps/{appId}/audit/exports/verify", Role.VIEWER);
        // Imports and history.
        app("POST /apps/{appId}/imports", Role.DEPLOYER);
        app("POST /apps/{appId}/uploads", Role.DEPLOYER);
        app("GET /apps/{appId}/commits", Role.VIEWER);
        app("GET /apps/{appId}/commits/{sha}/files", Role.VIEWER);
        // Deployments and releases.
        app("POST /apps/{appId}/deployments", Role.DEPLOYER);
        app("GET /apps/{appId}/deployments", Role.VIEWER);
        app("GET /apps/{appId}/deployments/{deploymentId}", Role.VIEWER);
        app("GET /apps/{appId}/deployments/{deploymentId}/logs", Role.VIEWER);
        // a commit on the branch, as a push or an import is
        app("POST /apps/{appId}/deployments/{deploymentId}/lockfile-commit", Role.DEPLOYER);
        app("GET /apps/{appId}/deployments/{deploymentId}/lockfile", Role.VIEWER);
        app("POST /apps/{appId}/releases", Role.DEPLOYER);
        app("GET /apps/{appId}/releases", Role.VIEWER);
        app("GET /apps/{appId}/releases/{releaseId}", Role.VIEWER);
        app("POST /apps/{appId}/releases/{releaseId}/finalize", Role.DEPLOYER);
        app("GET /apps/{appId}/releases/{releaseId}/uploads", Role.DEPLOYER);
        app("GET /apps/{appId}/releases/{releaseId}/logs", Role.VIEWER);
        // Production.
        app("POST /apps/{appId}/rollback", Role.DEPLOYER);
        app("POST /apps/{appId}/promote", Role.DEPLOYER);
        app("POST /apps/{appId}/pin", Role.DEPLOYER);
        app("POST /apps/{appId}/unpin", Role.DEPLOYER);
        // Previews.
        app("POST /apps/{appId}/previews", Role.DEPLOYER);
        app("GET /apps/{appId}/previews", Role.VIEWER);
        app("GET /apps/{appId}/previews/{name}", Role.VIEWER);
        app("PATCH /apps/{appId}/previews/{name}", Role.DEPLOYER);
        app("DELETE /apps/{appId}/previews/{name}", Role.DEPLOYER);
        app("POST /apps/{appId}/previews/{name}/token", Role.DEPLOYER);
        app("POST /apps/{appId}/previews/{name}/promote", Role.DEPLOYER);
        // Git over HTTPS ({repo} is <appId>.git): viewers clone and fetch, deployers push. GitAccess checks.
        git("GET /git/{repo}/info/refs", Role.VIEWER);
        git("POST /git/{repo}/git-upload-pack", Role.VIEWER);
        git("POST /git/{repo}/git-receive-pack", Role.DEPLOYER);
        git("GET /git/{repo}/bundle", Role.VIEWER);
        git("GET /apps/{appId}/archive/{file+}", Role.VIEWER);
        git("GET /apps/{appId}/git", Role.VIEWER);
        git("PUT /apps/{appId}/git", Role.ADMIN);
        git("GET /apps/{appId}/mirror", Role.VIEWER);
        git("PUT /apps/{appId}/mirror", Role.ADMIN);
        // Deploy hooks: managed by deployers of the app; the hook URL is its own credential.
        app("POST /apps/{appId}/hooks", Role.DEPLOYER);
        app("GET /apps/{appId}/hooks", Role.VIEWER);
        app("DELETE /apps/{appId}/hooks/{hookId}", Role.DEPLOYER);
        open("POST /hooks/{hookId}/{secret}");
        // GitHub sync: its source (with a repository token) is admin's; the webhook is signed.
        app("PUT /apps/{appId}/source", Role.ADMIN);
        app("GET /apps/{appId}/source", Role.VIEWER);
        open("POST /webhooks/github/{appId}");
        // The app's database: the link (a URL with credentials) is admin's; backups and restores below.
        app("PUT /apps/{appId}/database", Role.ADMIN);
        app("GET /apps/{appId}/database", Role.VIEWER);
        app("DELETE /apps/{appId}/database", Role.ADMIN);
        // Whether previews get databases of their own: mode backup copies production's rows into each preview, so admin's.
        app("PUT /apps/{appId}/database/preview-policy", Role.ADMIN);
        app("GET /apps/{appId}/database/preview-policy", Role.VIEWER);
        // The move copies the database elsewhere (a URL with credentials) and the switch repoints the app: admin's.
        app("POST /apps/{appId}/database/move", Role.ADMIN);
        app("GET /apps/{appId}/database/moves/{moveId}", Role.VIEWER);
        app("POST /apps/{appId}/database/switch", Role.ADMIN);
        app("POST /apps/{appId}/database/backups", Role.DEPLOYER);
        app("GET /apps/{appId}/database/backups", Role.VIEWER);
        app("GET /apps/{appId}/database/backups/{backupId}", Role.VIEWER);
        // a download is every row of the app's data, and a restore writes a database: admins only
        app("POST /apps/{appId}/database/backups/{backupId}/download", Role.ADMIN);
        app("PUT /apps/{appId}/database/backup-policy", Role.ADMIN);
        app("POST /apps/{appId}/database/restores", Role.ADMIN);
        app("GET /apps/{appId}/database/restores/{restoreId}", Role.VIEWER);
        // Operations.
        global("POST /cleanup", Role.ADMIN);
        // Console sessions: a token in the body is exchanged for a cookie; who is signed in; sign out.
        open("POST /session");
        // GET /session answers "not signed in" with 200, so the console's first look logs no error; it checks itself.
        open("GET /session");
        global("DELETE /session", Role.VIEWER);
        // The console's files (no secret in them; the page signs in through /session).
        open("GET /console");
        open("GET /console/{file+}");
        // Tokens.
        global("POST /tokens", Role.ADMIN);
        global("GET /tokens", Role.ADMIN);
        global("DELETE /tokens/{tokenId}", Role.ADMIN);
        global("POST /tokens/{tokenId}/rotate", Role.ADMIN);
        global("GET /tokens/audit", Role.ADMIN);
        global("GET /tokens/audit/verify", Role.ADMIN);
    }

    private RouteAccess() {
    }

    private static void app(String routeKey, Role role) {
        put(routeKey, Rule.app(role));
    }

    private static void global(String routeKey, Role role) {
        put(routeKey, Rule.global(role));
    }

    private static void git(String routeKey, Role role) {
        put(routeKey, new Rule(role, true, true));
    }

    private static void open(String routeKey) {
        put(routeKey, Rule.OWN_SECRET);
    }

    private static void put(String routeKey, Rule rule) {
        if (rule.perApp() && !routeKey.contains("{appId}") && !routeKey.contains("{repo}")) {
            throw new IllegalStateException(routeKey + " is per app but has no {appId}");
        }
        if (TABLE.put(routeKey, rule) != null) {
            throw new IllegalStateException("route listed twice: " + routeKey);
        }
    }

    public static Optional<Rule> rule(String routeKey) {
        return Optional.ofNullable(TABLE.get(routeKey));
    }

    public static Map<String, Rule> table() {
        return Map.copyOf(TABLE);
    }

    /**
     * Refuses (403) a principal whose role or apps do not reach the route; {@code appId} is the
     * route's {@code {appId}} (null on global routes).
     */
    public static void require(Rule rule, Principal principal, String appId) {
        if (rule.role() == null) {
            return;
        }
        if (principal.role() == null || !principal.role().covers(rule.role())) {
            throw new DomainException(DomainError.FORBIDDEN_ROLE,
                    "This needs the " + rule.role().wire() + " role; the token has " + (principal.role() == null ? "none" : principal.role().wire()));
        }
        if (rule.perApp() && !principal.mayUse(appId)) {
            throw new DomainException(DomainError.FORBIDDEN_APP, "The token is not valid for this app");
        }
        if (!rule.perApp() && rule.role() != Role.VIEWER && !principal.allApps()) {
            // A route over every app (tokens, cleanup, new apps) is for tokens over every app.
            throw new DomainException(DomainError.FORBIDDEN_APP, "This route acts on every app; the token is limited to some");
        }
    }
}
