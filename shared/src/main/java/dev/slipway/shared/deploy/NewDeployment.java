package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Locale;
import java.util.Set;

/**
 * What {@code POST /apps/{app}/deployments} asks for, checked: build {@code ref} (null: main), or
 * deploy the READY release {@code releaseId}, to {@code target}.
 */
public record NewDeployment(String ref, DeployTarget target, String releaseId) {
    static final Set<String> FIELDS = Set.of("ref", "target", "releaseId");

    /** Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written. */
    public static NewDeployment fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String ref = in.string("ref").orElse(null);
        String target = in.string("target").orElse(Alias.PRODUCTION);
        String releaseId = in.string("releaseId").orElse(null);
        if (ref != null && (ref.isBlank() || ref.length() > 200)) {
            in.error("ref", "must be a branch name or a commit SHA");
        }
        if (ref != null && releaseId != null) {
            in.error("releaseId", "give either ref (build that commit) or releaseId (deploy that READY release), not both");
        }
        if (releaseId != null && !Ulid.isValid(releaseId.toUpperCase(Locale.ROOT))) {
            in.error("releaseId", "must be a release id");
        }
        if (!DeployService.TARGETS.contains(target)) {
            in.error("target", "must be \"production\"");
        }
        in.throwIfInvalid();
        return new NewDeployment(ref, DeployTarget.parse(target), releaseId);
    }
}
