package dev.slipway.shared.deploy.server.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;
import software.amazon.awssdk.services.lambda.model.VpcConfigResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which apps' servers run in the stack database's VPC (those whose link is on it, and only with a stack database), and
 * the Lambda requests and role policy that say so — or take a function out again.
 */
class AppServerNetworkTest {
    private static final AppServerSettings SETTINGS = new AppServerSettings("slipway-app-", "/slipway-apps/stack/",
            "arn:aws:iam::123456789012:policy/boundary", "artifacts", "/slipway/stack/apps", "eu-west-1", "123456789012");
    /** The template's values with the stack database on; "shop" is on it, "blog" elsewhere. */
    private static final Config ON = Config.of(Map.of(AppServerNetwork.SUBNET_IDS, "subnet-a,subnet-b",
            AppServerNetwork.SECURITY_GROUP_IDS, "sg-client"));
    private static final Set<String> ON_STACK_DATABASE = Set.of("shop");
    private static final Release RELEASE = new Release("shop", "01jxa7m2q3r4s5t6v7w8x9yz0a", "c0ffee", "tree", "builds/x", "import",
            ReleaseStatus.READY, 1, 1, Instant.EPOCH, Instant.EPOCH, "01jxa7m2q3r4s5t6v7w8x9yz0b")
            .withServer(new ServerBundle(ServerBundle.NEXT, 22, "server.js", "a".repeat(64), 1, 1));

    @Test
    void onlyAppsOnTheStackDatabaseAndOnlyWithOneRunInItsVpc() {
        AppServerNetwork on = AppServerNetwork.from(ON, ON_STACK_DATABASE::contains);
        assertTrue(on.inDatabaseVpc("shop"));
        assertFalse(on.inDatabaseVpc("blog"), "an app linked elsewhere keeps internet egress outside any VPC");
        assertEquals(VpcConfig.builder().subnetIds("subnet-a", "subnet-b").securityGroupIds("sg-client").build(), on.vpcConfig(true));

        // the template's empty values without a stack database: nobody, and the link is never asked for
        AppServerNetwork off = AppServerNetwork.from(Config.of(Map.of(AppServerNetwork.SUBNET_IDS, "", AppServerNetwork.SECURITY_GROUP_IDS, "")),
                appId -> {
                    throw new AssertionError("no link is read without a stack database");
                });
        assertFalse(off.inDatabaseVpc("shop"));
        assertFalse(AppServerNetwork.none().inDatabaseVpc("shop"));
        assertThrows(IllegalArgumentException.class, () -> new AppServerNetwork(List.of("subnet-a"), List.of(), a -> true));
    }

    @Test
    void theRequestsPlaceTheFunctionAndAnUpdateOutOfTheVpcEmptiesIt() {
        AppServerNetwork network = AppServerNetwork.from(ON, ON_STACK_DATABASE::contains);
        AppFunctionNames names = SETTINGS.names("shop");
        Map<String, String> env = Map.of(LambdaAppServers.SECRET_VARIABLE, "s");

        CreateFunctionRequest inside = LambdaAppServers.createRequest(RELEASE, names, "servers/shop/x/function.zip", env, network.vpcConfig(true));
        assertEquals(List.of("subnet-a", "subnet-b"), inside.vpcConfig().subnetIds());
        assertEquals(List.of("sg-client"), inside.vpcConfig().securityGroupIds());
        assertEquals("nodejs22.x", inside.runtimeAsString());
        assertTrue(inside.publish());
        assertNull(LambdaAppServers.createRequest(RELEASE, names, "k", env, null).vpcConfig(), "a new function outside: no VpcConfig");

        UpdateFunctionConfigurationRequest into = LambdaAppServers.configurationRequest(RELEASE, names, env, network.vpcConfig(true), "rev-1");
        assertEquals(List.of("sg-client"), into.vpcConfig().securityGroupIds());
        assertEquals("rev-1", into.revisionId(), "a concurrent publish of the app meets at the revision");
        // relinked elsewhere: the next version's configuration carries empty lists, which detach the function
        UpdateFunctionConfigurationRequest out = LambdaAppServers.configurationRequest(RELEASE, names, env, network.vpcConfig(false), "rev-2");
        assertTrue(out.vpcConfig().hasSubnetIds() && out.vpcConfig().subnetIds().isEmpty());
        assertTrue(out.vpcConfig().hasSecurityGroupIds() && out.vpcConfig().securityGroupIds().isEmpty());

        // what Lambda answers for a function in a VPC, and outside one (no field, or empty lists after a detach)
        assertTrue(LambdaAppServers.inAVpc(VpcConfigResponse.builder().subnetIds("subnet-a").securityGroupIds("sg-client").vpcId("vpc-1").build()));
        assertFalse(LambdaAppServers.inAVpc(null));
        assertFalse(LambdaAppServers.inAVpc(VpcConfigResponse.builder().subnetIds(List.of()).securityGroupIds(List.of()).vpcId("").build()));
    }

    @Test
    void theRoleHoldsTheNetworkInterfaceRightsOnlyInTheVpc() {
        assertEquals(List.of(), eniActions(AppRolePolicy.runtime(SETTINGS.names("blog"), false)));
        assertEquals(AppRolePolicy.runtime(SETTINGS.names("blog")), AppRolePolicy.runtime(SETTINGS.names("blog"), false));
        JsonNode doc = Json.parse(AppRolePolicy.runtime(SETTINGS.names("shop"), true));
        assertEquals(AppRolePolicy.VPC_ACTIONS, eniActions(Json.write(doc)));
        doc.get("Statement").forEach(s -> {
            if (s.path("Sid").asText().equals("DatabaseVpcNetworkInterfaces")) {
                assertEquals("*", s.get("Resource").asText());
            }
        });
    }

    private static List<String> eniActions(String policy) {
        List<String> out = new ArrayList<>();
        Json.parse(policy).get("Statement").forEach(s -> s.get("Action").forEach(a -> {
            if (a.asText().startsWith("ec2:")) {
                out.add(a.asText());
            }
        }));
        return out;
    }
}
