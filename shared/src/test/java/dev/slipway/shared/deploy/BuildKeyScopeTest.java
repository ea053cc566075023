package dev.slipway.shared.deploy;

import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.store.memory.InMemoryDeployStores;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A build key hashes the values of the target's scope, not the target: equal inputs can be promoted without a rebuild. */
class BuildKeyScopeTest {
    @Test
    void previewAndProductionShareAKeyExactlyWhenTheirValuesAreEqual(@TempDir Path dir) {
        AppEnvironment env = new LocalEncryptedAppEnvironment(dir);
        DeploySteps steps = new DeploySteps(null, InMemoryDeployStores.create(), null, null, env, null, null, Clock.systemUTC(), null);
        App app = new App("shop", "Shop", BuildSettings.NONE, null, null, Instant.EPOCH, Instant.EPOCH, 1);
        String tree = "4b825dc642cb6eb9a060e54bf8d69288fbc4904d";

        env.putAll("shop", Map.of("VITE_URL", "https://api.example"));
        String prod = steps.buildKey(app, tree, DeployTarget.parse("production"));
        assertEquals(prod, steps.buildKey(app, tree, DeployTarget.parse("preview:feature-x")), "same effective env: same key");
        assertEquals(prod, steps.buildKey(app, tree, DeployTarget.parse("preview:other")), "the preview's name is not an input");

        env.change("shop", Map.of("STRIPE_SECRET_KEY", new AppEnvironment.Entry("sk_live_x", Set.of(EnvScope.PRODUCTION))), List.of());
        String prod2 = steps.buildKey(app, tree, DeployTarget.parse("production"));
        assertNotEquals(prod, prod2, "a production value changed production's key");
        assertEquals(prod, steps.buildKey(app, tree, DeployTarget.parse("preview:feature-x")), "a production-only value does not change a preview's key");

        env.change("shop", Map.of("STRIPE_SECRET_KEY", new AppEnvironment.Entry("sk_test_y", Set.of(EnvScope.PREVIEW))), List.of());
        assertNotEquals(steps.buildKey(app, tree, DeployTarget.parse("production")), steps.buildKey(app, tree, DeployTarget.parse("preview:feature-x")));
        assertEquals(prod, steps.buildKey(app, tree, DeployTarget.parse("production")), "back to production's first values, back to its key");
    }
}
