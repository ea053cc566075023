package dev.slipway.shared.lockfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whether a lockfile was written for the package.json beside it: {@code package-lock.json} (v2+) and {@code bun.lock}
 * record the root's dependency ranges, which must equal package.json's, or a frozen install refuses the tree.
 * Builders leave stale lockfiles of the tool they used before (a Lovable export moved to bun keeps a package-lock.json
 * that no longer matches), so with several lockfiles the one in step is the one the builder last installed with.
 */
public final class LockfileInStep {
    private static final List<String> FIELDS = List.of("dependencies", "devDependencies", "optionalDependencies");
    /** bun.lock is JSON with trailing commas. */
    private static final ObjectMapper LENIENT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
                    .build())
            .build();

    private LockfileInStep() {
    }

    /**
     * True when {@code lockfile}'s root entry lists exactly package.json's dependency ranges, false when it lists
     * others, empty when this lockfile kind or version does not record them (or the text cannot be read).
     *
     * @param name the lockfile's file name ({@code package-lock.json}, {@code npm-shrinkwrap.json}, {@code bun.lock})
     */
    public static Optional<Boolean> matches(String name, String lockfile, JsonNode packageJson) {
        if (lockfile == null || packageJson == null || !packageJson.isObject()) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            JsonNode tree = LENIENT.readTree(lockfile);
            root = switch (name) {
                case "package-lock.json", "npm-shrinkwrap.json" -> tree.path("packages").get("");
                case "bun.lock" -> tree.path("workspaces").get("");
                default -> null;
            };
        } catch (Exception e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            return Optional.empty(); // lockfileVersion 1, a binary or unknown kind: nothing to compare
        }
        return Optional.of(ranges(root).equals(ranges(packageJson)));
    }

    private static Map<String, String> ranges(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        for (String field : FIELDS) {
            JsonNode deps = node.get(field);
            if (deps != null && deps.isObject()) {
                deps.fields().forEachRemaining(e -> out.put(field + ":" + e.getKey(), e.getValue().asText()));
            }
        }
        return out;
    }
}
