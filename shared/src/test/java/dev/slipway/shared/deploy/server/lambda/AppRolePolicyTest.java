package dev.slipway.shared.deploy.server.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An app's server role reaches its own log group and its own app's variables, no other app's. */
class AppRolePolicyTest {
    private static final AppServerSettings SETTINGS = new AppServerSettings("slipway-app-", "/slipway-apps/stack/",
            "arn:aws:iam::123456789012:policy/boundary", "artifacts", "/slipway/stack/apps", "eu-west-1", "123456789012");

    @Test
    void theRuntimePolicyNamesOnlyTheAppsOwnResources() {
        JsonNode doc = Json.parse(AppRolePolicy.runtime(SETTINGS.names("shop")));
        List<String> resources = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        doc.get("Statement").forEach(s -> {
            assertEquals("Allow", s.get("Effect").asText());
            s.get("Resource").forEach(r -> resources.add(r.asText()));
            s.get("Action").forEach(a -> actions.add(a.asText()));
        });
        assertEquals(List.of(
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/slipway-app-shop",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/slipway-app-shop:*",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/stack/apps/shop",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/stack/apps/shop/production",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/stack/apps/shop/preview",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/stack/apps/shop/previews/*"), resources);
        // "shop*" would also match the app "shop2": every name ends where the app's does.
        resources.forEach(r -> assertFalse(r.matches(".*shop\\*.*"), r));
        assertEquals(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParametersByPath"), actions);
    }

    @Test
    void namesFitLambdaAndIam() {
        AppFunctionNames names = SETTINGS.names("a-very-long-app-name-of-forty-characters");
        assertEquals(52, names.function().length());
        assertEquals("arn:aws:iam::123456789012:role/slipway-apps/stack/slipway-app-a-very-long-app-name-of-forty-characters", names.roleArn());
        assertEquals("production-01jxa7m2q3r4s5t6v7w8x9yz0a", AppFunctionNames.alias(dev.slipway.shared.env.EnvScope.PRODUCTION, "01jxa7m2q3r4s5t6v7w8x9yz0a"));
        // a preview's own alias: within Lambda's 128 characters for the longest preview name, and never another preview's
        String longest = "p".repeat(40);
        String alias = AppFunctionNames.previewAlias(longest, "01jxa7m2q3r4s5t6v7w8x9yz0a");
        assertEquals(70, alias.length());
        assertTrue(AppFunctionNames.isPreviewAlias(alias, longest));
        assertTrue(AppFunctionNames.isPreviewAlias(AppFunctionNames.previewAlias("a", "01jxa7m2q3r4s5t6v7w8x9yz0a"), "a"));
        assertFalse(AppFunctionNames.isPreviewAlias(AppFunctionNames.previewAlias("a-b", "01jxa7m2q3r4s5t6v7w8x9yz0a"), "a"),
                "preview a's aliases are not preview a-b's");
        assertFalse(AppFunctionNames.isPreviewAlias("preview-01jxa7m2q3r4s5t6v7w8x9yz0a", "a"));
        assertThrows(IllegalArgumentException.class, () -> new AppServerSettings("way-too-long-prefix-for-names", "/p/", "b", "x", "/e", "r", "1"));
    }

    @Test
    void lambdaAssumesTheRole() {
        JsonNode s = Json.parse(AppRolePolicy.trust()).get("Statement").get(0);
        assertEquals("lambda.amazonaws.com", s.get("Principal").get("Service").asText());
        assertEquals("sts:AssumeRole", s.get("Action").asText());
    }
}
