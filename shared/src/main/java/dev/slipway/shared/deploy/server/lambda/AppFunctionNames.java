package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.env.EnvScope;

/**
 * How an app's server resources are named in AWS: one function and one execution role per app
 * ({@code {prefix}{appId}}, at most 60 characters: IAM and Lambda allow 64), a published version per
 * release, and an alias per release and scope ({@code production-{releaseId}}, {@code preview-{releaseId}})
 * whose function URL the edge calls. The alias names the scope the adapter reads variables of.
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

    /** The SSM path whose variables (and its per-scope folders) the app's server may read. */
    public String envPath() {
        return settings.envPrefix() + "/" + appId;
    }

    /** Where the function's code (the bundle plus the adapter) is staged for Lambda to read. */
    public String codeKey(String releaseId) {
        return "servers/" + appId + "/" + releaseId + "/function.zip";
    }
}
