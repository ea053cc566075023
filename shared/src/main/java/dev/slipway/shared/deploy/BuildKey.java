package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What decides a build's files: the tree, the effective build settings and the environment values
 * the build sees (its target's scope). Equal keys, equal output: a READY release with the key is
 * reused instead of built, and a preview whose key equals production's is promoted without a build.
 */
public final class BuildKey {
    private BuildKey() {
    }

    public static String of(App app, String tree, Map<String, String> envValues) {
        ObjectNode n = Json.object();
        n.put("tree", tree);
        n.set("build", Json.MAPPER.valueToTree(app.effectiveBuild()));
        // Values are hashed together with the tree, never stored: a changed secret means a new build.
        // The target is not an input, only its scope's values: a preview built with production's values is promotable.
        n.put("env", ReleaseFiles.hex("SHA-256", Json.write(new TreeMap<>(envValues)).getBytes(StandardCharsets.UTF_8)));
        return ReleaseFiles.hex("SHA-256", Json.canonical(n).getBytes(StandardCharsets.UTF_8));
    }
}
