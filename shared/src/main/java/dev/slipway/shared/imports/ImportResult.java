package dev.slipway.shared.imports;

import dev.slipway.shared.imports.findings.Finding;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.shared.apps.BuildSettings;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * What an import did. {@code created} is false when the tree was identical to the branch head:
 * then {@code commit} is that head and nothing was written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImportResult(
        String importId,
        String commit,
        @JsonInclude(JsonInclude.Include.ALWAYS) String parent, // null on a branch's first commit
        String branch,
        int filesAdded,
        int filesChanged,
        int filesRemoved,
        String framework,
        BuildSettings build,
        List<Finding> findings,
        List<String> environmentVariables,
        List<String> skipped,
        @JsonIgnore boolean created) {
}
