package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a Task state of {@code statemachines/deploy.asl.json} passes: {@code step} (the state's own
 * name), the ids, the build key (the states after ResolveRef) and, for MarkFailed, the error its
 * Catch caught. Fields the state did not pass are null; {@link DeploySteps} refuses a missing one
 * where it needs it.
 */
public record StepInput(String step, String appId, String deploymentId, String buildKey, Caught error) {
    /** Reads a task's input; a field that is absent, null or not a scalar is null. */
    public static StepInput fromJson(JsonNode in) {
        return new StepInput(text(in, "step"), text(in, "appId"), text(in, "deploymentId"), text(in, "buildKey"),
                Caught.fromJson(in.path("error")));
    }

    private static String text(JsonNode in, String field) {
        return in.path(field).asText(null);
    }

    /** Step Functions' Catch output {@code {Error, Cause}}; a Lambda error's Cause is its JSON error ("" when absent). */
    public record Caught(String error, String cause) {
        public static Caught fromJson(JsonNode error) {
            return new Caught(error.path("Error").asText(""), error.path("Cause").asText(""));
        }
    }
}
