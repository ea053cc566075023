package dev.slipway.shared.deploy.server.lambda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.json.Json;

import java.util.List;

/**
 * The execution role of an app's function: Lambda may assume it, and it may write its own log group
 * and read its own app's variables (both scopes and the shared ones), nothing else. The stack's
 * boundary policy caps it again, so a mistake here cannot widen it beyond app servers' rights. A server in the stack
 * database's VPC ({@link AppServerNetwork}) also holds the network-interface rights Lambda uses to attach it.
 */
public final class AppRolePolicy {
    public static final String INLINE_NAME = "app-runtime";

    private AppRolePolicy() {
    }

    public static String trust() {
        ObjectNode statement = Json.object().put("Effect", "Allow").put("Action", "sts:AssumeRole");
        statement.putObject("Principal").put("Service", "lambda.amazonaws.com");
        ObjectNode doc = Json.object().put("Version", "2012-10-17");
        doc.putArray("Statement").add(statement);
        return Json.write(doc);
    }

    /**
     * Lambda's documented minimum for a function in a VPC (AWSLambdaVPCAccessExecutionRole without its logs): Lambda acts
     * with the function's role to make and remove its network interfaces. These actions name no resource Slipway knows
     * beforehand (the interface does not exist yet; DescribeNetworkInterfaces works only on "*"), hence "*".
     */
    public static final List<String> VPC_ACTIONS = List.of("ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses");

    public static String runtime(AppFunctionNames names) {
        return runtime(names, false);
    }

    /** The role's inline policy; with {@code inDatabaseVpc} also the network-interface rights ({@link #VPC_ACTIONS}). */
    public static String runtime(AppFunctionNames names, boolean inDatabaseVpc) {
        AppServerSettings s = names.settings();
        ObjectNode doc = Json.object().put("Version", "2012-10-17");
        ArrayNode statements = doc.putArray("Statement");
        String logGroup = "arn:aws:logs:" + s.region() + ":" + s.accountId() + ":log-group:" + names.logGroup();
        ObjectNode logs = statements.addObject().put("Sid", "OwnLogs").put("Effect", "Allow");
        logs.putArray("Action").add("logs:CreateLogGroup").add("logs:CreateLogStream").add("logs:PutLogEvents");
        logs.putArray("Resource").add(logGroup).add(logGroup + ":*");
        ObjectNode ssm = statements.addObject().put("Sid", "OwnVariables").put("Effect", "Allow");
        ssm.putArray("Action").add("ssm:GetParametersByPath");
        ArrayNode paths = ssm.putArray("Resource");
        String base = "arn:aws:ssm:" + s.region() + ":" + s.accountId() + ":parameter" + names.envPath();
        paths.add(base);
        for (EnvScope scope : EnvScope.values()) {
            paths.add(base + "/" + scope.id());
        }
        paths.add(base + "/previews/*"); // each preview's own values (its database's URL), for the pv- aliases
        if (inDatabaseVpc) {
            ObjectNode eni = statements.addObject().put("Sid", "DatabaseVpcNetworkInterfaces").put("Effect", "Allow");
            VPC_ACTIONS.forEach(eni.putArray("Action")::add);
            eni.put("Resource", "*");
        }
        return Json.write(doc);
    }
}
