package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.migrate.MigrationStep;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * The deploy workflow's ApplyMigrations state (statemachines/deploy.asl.json): {@code {step, appId, deploymentId}} in,
 * {@link MigrationStep.Result} out. A failure is thrown for the state's Retry (transient) or Catch (MarkFailed).
 */
public final class DeployMigrationsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final MigrationStep step;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public DeployMigrationsHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public DeployMigrationsHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private DeployMigrationsHandler(DataFunctionServices services) {
        this.step = services.migrationStep();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object appId = input.get("appId");
        Object deploymentId = input.get("deploymentId");
        if (!(appId instanceof String a) || a.isBlank() || !(deploymentId instanceof String d) || d.isBlank()) {
            throw new StepFailedException("the ApplyMigrations input lacks \"appId\" or \"deploymentId\"");
        }
        return Json.MAPPER.convertValue(step.run(a, d), new TypeReference<>() {
        });
    }
}
