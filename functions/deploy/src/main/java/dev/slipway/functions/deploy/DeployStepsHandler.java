package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.DeploySteps;
import dev.slipway.shared.deploy.StepInput;
import dev.slipway.shared.deploy.StepResult;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * The Task states of statemachines/deploy.asl.json. The state passes {@code step} (its own name)
 * with ids and keys, read here into a {@link StepInput}; the answer is the step's small
 * {@link StepResult}, as JSON.
 */
public final class DeployStepsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final DeploySteps steps;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public DeployStepsHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public DeployStepsHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private DeployStepsHandler(DeployFunctionServices services) {
        this.steps = services.steps();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        StepResult result = steps.run(StepInput.fromJson(Json.MAPPER.valueToTree(input)));
        return Json.MAPPER.convertValue(result, new TypeReference<>() {
        });
    }
}
