package dev.slipway.shared.deploy.build;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

/**
 * What the deploy state machine's Build state passes to {@code codebuild:startBuild.sync}, as far as
 * a local build reads it: the source zip's {@code bucket/key} and the SLIPWAY_* variables.
 */
public record BuildRequest(String sourceLocation, Map<String, String> variables) {
    public BuildRequest {
        variables = Map.copyOf(variables);
    }

    /** Reads the Task's parameters ({@code SourceLocationOverride}, {@code EnvironmentVariablesOverride} [{Name, Value}]). */
    public static BuildRequest fromJson(JsonNode parameters) {
        Map<String, String> vars = new HashMap<>();
        for (JsonNode v : parameters.path("EnvironmentVariablesOverride")) {
            vars.put(v.path("Name").asText(), v.path("Value").asText());
        }
        return new BuildRequest(parameters.path("SourceLocationOverride").asText(), vars);
    }
}
