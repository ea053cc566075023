package dev.slipway.shared.apps;

import dev.slipway.shared.json.JsonObjectReader;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks build settings from a request body (create, or a merge patch). */
final class BuildSettingsInput {
    static final Set<String> FIELDS = Set.of("packageManager", "installCommand", "buildCommand", "outputDir", "nodeVersion", "registry");
    static final Set<String> PACKAGE_MANAGERS = Set.of("npm", "pnpm", "yarn", "bun");
    private static final Pattern NODE_VERSION = Pattern.compile("(lts|[1-9][0-9](\\.[0-9]{1,4}){0,2})");
    private static final Pattern OUTPUT_DIR = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Pattern REGISTRY = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private BuildSettingsInput() {
    }

    /**
     * Merge-patch semantics (RFC 7396): an absent field keeps its value, null removes it, a value
     * replaces it. For create, the patch applies to {@link BuildSettings#NONE}. A field with a
     * problem is recorded on {@code in} and kept.
     */
    static BuildSettingsPatch read(JsonObjectReader in) {
        return new BuildSettingsPatch(
                field(in, "packageManager", BuildSettingsInput::checkPackageManager),
                field(in, "installCommand", BuildSettingsInput::checkCommand),
                field(in, "buildCommand", BuildSettingsInput::checkCommand),
                field(in, "outputDir", BuildSettingsInput::checkOutputDir),
                field(in, "nodeVersion", BuildSettingsInput::checkNodeVersion),
                field(in, "registry", BuildSettingsInput::checkRegistry));
    }

    private interface Check {
        String problem(String value);
    }

    private static FieldChange<String> field(JsonObjectReader in, String name, Check check) {
        if (!in.has(name)) {
            return FieldChange.keep();
        }
        if (in.isNull(name)) {
            return FieldChange.to(null);
        }
        Optional<String> v = in.string(name);
        if (v.isEmpty()) {
            return FieldChange.keep();
        }
        String problem = check.problem(v.get());
        if (problem != null) {
            in.error(name, problem);
            return FieldChange.keep();
        }
        return FieldChange.to(v.get());
    }

    static String checkPackageManager(String v) {
        return PACKAGE_MANAGERS.contains(v) ? null : "must be one of npm, pnpm, yarn, bun";
    }

    static String checkCommand(String v) {
        if (v.isBlank() || v.length() > 500) {
            return "must be 1-500 characters";
        }
        return CONTROL.matcher(v).find() ? "must be one line without control characters" : null;
    }

    static String checkOutputDir(String v) {
        if (v.equals(".")) {
            return null; // a static site served from the repository root
        }
        if (v.length() > 200 || !OUTPUT_DIR.matcher(v).matches()) {
            return "must be a relative path such as dist or apps/web/dist";
        }
        for (String segment : v.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "must stay inside the repository (no . or .. segments)";
            }
        }
        return null;
    }

    /**
     * An npm registry's base URL, e.g. a CodeArtifact endpoint: http(s), a host, no user info, query or fragment
     * (a token goes into the app's NPM_TOKEN variable, stored and redacted as every value is).
     */
    static String checkRegistry(String v) {
        String problem = "must be an npm registry URL such as https://registry.npmjs.org/ or"
                + " https://<domain>-<account>.d.codeartifact.<region>.amazonaws.com/npm/<repository>/";
        if (v.length() > 300 || !REGISTRY.matcher(v).matches()) {
            return problem;
        }
        try {
            java.net.URI u = new java.net.URI(v);
            return u.getHost() == null || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null
                    ? problem : null;
        } catch (java.net.URISyntaxException e) {
            return problem;
        }
    }

    static String checkNodeVersion(String v) {
        return NODE_VERSION.matcher(v).matches() ? null : "must be a Node.js major version such as 20, 20.11 or 20.11.1, or lts";
    }
}
