package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.env.EnvScope;

/**
 * How an app's server resources are named in AWS: one function and one execution role per app
 * ({@code {prefix}{appId}}, at most 60 characters: IAM and Lambda allow 64), a published version per
 * release, and an alias per release and scope ({@code production-{releaseId}}, {@code preview-{releaseId}}), and per
 * release and preview ({@code pv-{preview}-{releaseId}}), whose function URL the edge calls. The alias names the
 * scope (and preview) the adapter reads variables of.
 */
public record AppFunctionNames(AppServerSettings settings, String appId) {
    public String function() {
        return settings.functionPrefix() + appId;
    }

    public String role() {
        return settings.functionPrefix() + appId;
    }

    public String roleArn() {
        return "arn:aws:iam::" + settings.accountId() + ":role" + settings.rolePath() + role();
    }

    public String functionArn() {
        return "arn:aws:lambda:" + settings.region() + ":" + settings.accountId() + ":function:" + function();
    }

    public String logGroup() {
        return "/aws/lambda/" + function();
    }

    public static String alias(EnvScope scope, String releaseId) {
        return scope.id() + "-" + releaseId;
    }

    /**
     * The alias of one preview's own server of a release, {@code pv-<preview>-<releaseId>} (at most 70 characters; Lambda
     * allows 128): the adapter reads the preview scope's variables and the preview's own over them.
     */
    public static String previewAlias(String preview, String releaseId) {
        return PREVIEW_ALIAS_PREFIX + preview + "-" + releaseId;
    }

    public static final String PREVIEW_ALIAS_PREFIX = "pv-";

    /** Whether {@code alias} is one of {@code preview}'s own (not of a preview whose name merely starts the same). */
    public static boolean isPreviewAlias(String alias, String preview) {
        String prefix = PREVIEW_ALIAS_PREFIX + preview + "-";
        return alias.startsWith(prefix) && alias.length() == prefix.length() + 26 && alias.indexOf('-', prefix.length()) < 0;
    }

    /** The SSM path whose variables (and its per-scope folders) the app's server may read. */
    public String envPath() {
        return settings.envPrefix() + "/" + appId;
    }

    /** Where the function's code (the bundle plus the adapter) is staged for Lambda to read. */
    public String codeKey(String releaseId) {
        return "servers/" + appId + "/" + releaseId + "/function.zip";
    }
}
