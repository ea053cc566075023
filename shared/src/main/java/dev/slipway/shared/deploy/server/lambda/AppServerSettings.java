package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.config.Config;

/**
 * The template's settings for app servers in AWS (functions with {@code APP_SERVERS=lambda}): where
 * per-app functions and roles are named, the boundary every app role carries, the artifacts bucket
 * and the SSM prefix of the apps' variables.
 *
 * @param functionPrefix  prefix of every app's function and role name ({@code slipway-app-})
 * @param rolePath        IAM path of the app roles ({@code /slipway-apps/}): PassRole is granted on it only
 * @param boundaryArn     the permissions boundary each app role is created with
 * @param bucket          the artifacts bucket (bundles and function code)
 * @param envPrefix       SSM prefix of app variables ({@code /slipway/{stack}/apps})
 * @param region          the stack's region
 * @param accountId       the stack's account
 */
public record AppServerSettings(String functionPrefix, String rolePath, String boundaryArn, String bucket,
                                String envPrefix, String region, String accountId) {
    public static final String FUNCTION_PREFIX = "APP_SERVER_FUNCTION_PREFIX";
    public static final String ROLE_PATH = "APP_SERVER_ROLE_PATH";
    public static final String BOUNDARY_ARN = "APP_SERVER_ROLE_BOUNDARY_ARN";
    public static final String ACCOUNT_ID = "APP_SERVER_ACCOUNT_ID";
    public static final String BUCKET = "ARTIFACTS_BUCKET";
    public static final String ENV_PREFIX = "APP_ENV_PARAMETER_PREFIX";

    public AppServerSettings {
        if (functionPrefix == null || !functionPrefix.matches("[A-Za-z0-9-]{1,20}")) {
            throw new IllegalArgumentException("app server prefix: 1-20 letters, digits or '-': " + functionPrefix);
        }
        if (rolePath == null || !rolePath.matches("/([A-Za-z0-9_+=,.@-]+/)+")) {
            throw new IllegalArgumentException("not an IAM path: " + rolePath);
        }
    }

    public static AppServerSettings from(Config config) {
        return new AppServerSettings(config.require(FUNCTION_PREFIX), config.require(ROLE_PATH), config.require(BOUNDARY_ARN),
                config.require(BUCKET), config.require(ENV_PREFIX), config.get("AWS_REGION").orElse("us-east-1"),
                config.require(ACCOUNT_ID));
    }

    /** The names of one app's function, role and log group. */
    public AppFunctionNames names(String appId) {
        return new AppFunctionNames(this, appId);
    }
}
