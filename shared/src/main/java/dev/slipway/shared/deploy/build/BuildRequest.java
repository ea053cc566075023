package dev.slipway.shared.deploy.build;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

/**
 * What the deploy state machine's Build state passes to {@code codebuild:startBuild.sync}, as far as
 * a local build reads it: the SLIPWAY_* variables (ids, settings and the presigned URLs of
 * everything the build may touch; the source is one of them, so there is no source location).
 */
public record BuildRequest(Map<String, String> variables) {
    public BuildRequest {
        variables = Map.copyOf(variables);
    }

    /** Reads the Task's parameters ({@code EnvironmentVariablesOverride} [{Name, Value}]). */
    public static BuildRequest fromJson(JsonNode parameters) {
        Map<String, String> vars = new HashMap<>();
        for (JsonNode v : parameters.path("EnvironmentVariablesOverride")) {
            vars.put(v.path("Name").asText(), v.path("Value").asText());
        }
        return new BuildRequest(vars);
    }
}
