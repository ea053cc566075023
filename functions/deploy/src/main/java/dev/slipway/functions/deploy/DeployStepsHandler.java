package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.DeploySteps;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * The Task states of statemachines/deploy.asl.json. The state passes {@code step} (its own name)
 * with ids and keys; the answer is the step's small JSON result.
 */
public final class DeployStepsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final DeploySteps steps;

    public DeployStepsHandler() {
        this(Config.fromEnvironment());
    }

    public DeployStepsHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private DeployStepsHandler(Config config) {
        DeployComponents c = new DeployComponents(config);
        this.steps = new DeploySteps(c.apps, c.stores, c.files, c.sources, AppEnvironment.from(c.aws),
                Router.from(config), c.urls, c.clock,
                config.get(EnvNames.APP_ENV_PARAMETER_PREFIX).orElse(null));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        ObjectNode result = steps.run(Json.MAPPER.valueToTree(input));
        return Json.MAPPER.convertValue(result, new TypeReference<>() {
        });
    }
}
