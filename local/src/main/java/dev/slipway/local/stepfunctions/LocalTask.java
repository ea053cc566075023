package dev.slipway.local.stepfunctions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * Something a Task state can run on the laptop: a template function (through {@link #of}) or a
 * local-only stand-in for a service integration, such as the build that replaces CodeBuild.
 * Whatever it throws becomes the Task's error, named as Lambda's Java runtime names it: the
 * exception's class name ({@link Class#getName()}), or {@link Failure#errorType()}.
 */
@FunctionalInterface
public interface LocalTask {
    JsonNode invoke(JsonNode input) throws Exception;

    /**
     * A template function whose handler is a {@code RequestHandler<Map<String,Object>,Map<String,Object>>}:
     * the Task input becomes the event Map, the returned Map the Task result.
     */
    static LocalTask of(LocalFunctions functions, String functionId) {
        if (!functions.specs().containsKey(functionId)) {
            throw new IllegalArgumentException("no function " + functionId + " in template.yaml");
        }
        return input -> {
            Map<String, Object> event = input == null || input.isNull() ? null
                    : Json.MAPPER.convertValue(input, new TypeReference<Map<String, Object>>() { });
            Object result;
            try {
                result = functions.invoke(functionId, event);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            return Json.MAPPER.valueToTree(result);
        };
    }

    /**
     * A failure with an explicit error name, for local tasks standing in for a service whose
     * errors have AWS names (e.g. {@code States.TaskFailed} for a failed {@code startBuild.sync}).
     */
    class Failure extends RuntimeException {
        private final String errorType;

        public Failure(String errorType, String message) {
            super(message);
            this.errorType = errorType;
        }

        public String errorType() {
            return errorType;
        }
    }
}
