package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DeployTargetTest {
    @Test
    void targetsMapToTheirScopeAndAlias() {
        assertEquals(EnvScope.PRODUCTION, DeployTarget.parse("production").scope());
        DeployTarget preview = DeployTarget.parse("preview:feature-x");
        assertEquals(new DeployTarget.Preview("feature-x"), preview);
        assertEquals(EnvScope.PREVIEW, preview.scope());
        assertEquals("preview:feature-x", preview.aliasName());
        for (String bad : new String[] {"", "Production", "preview", "preview:", "staging", "production:x"}) {
            assertThrows(IllegalArgumentException.class, () -> DeployTarget.parse(bad), bad);
        }
    }

    @Test
    void aDeploymentStoresItsTargetInTheWireForm() {
        Deployment d = new Deployment("shop", "01kawz3q9mqd1w6m0t0d5y2x8h", "main", DeployTarget.preview("feature-x"),
                Deployment.Status.RUNNING, null, null, null, null, null, null, "admin", Instant.EPOCH, null, 1);
        JsonNode stored = Json.parse(Json.write(d));
        assertEquals("preview:feature-x", stored.path("target").asText());
        assertEquals(d, Json.MAPPER.convertValue(stored, Deployment.class));
        // A deployment stored before targets existed deploys to production.
        ((ObjectNode) stored).remove("target");
        assertEquals(DeployTarget.PRODUCTION, Json.MAPPER.convertValue(stored, Deployment.class).target());
    }
}
