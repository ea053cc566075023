package dev.slipway.functions.apps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.env.EnvVariable;
import dev.slipway.shared.json.Json;

import java.util.List;

/** The JSON of an app's environment: {@code {variables: [{name, scopes, updatedAt?}]}}, never a value. */
final class EnvironmentView {
    private EnvironmentView() {
    }

    static ObjectNode of(List<EnvVariable> variables) {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("variables");
        for (EnvVariable v : variables) {
            ObjectNode n = list.addObject();
            n.put("name", v.name());
            ArrayNode scopes = n.putArray("scopes");
            v.scopes().stream().sorted().forEach(s -> scopes.add(s.id()));
            if (v.updatedAt() != null) {
                n.put("updatedAt", v.updatedAt().toString());
            }
        }
        return out;
    }
}
