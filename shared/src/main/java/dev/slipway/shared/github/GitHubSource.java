package dev.slipway.shared.github;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Where an app's code comes from on GitHub: the repository and which branch deploys where
 * ({@code {"main":"production","*":"preview"}}). Its webhook secret and repository token live in
 * {@link SourceSecrets}, never here.
 */
public record GitHubSource(String appId, String repository, Map<String, String> branches, boolean hasToken, Instant updatedAt,
                           String updatedBy, long version) {
    public static final String PRODUCTION = "production";
    public static final String PREVIEW = "preview";

    /** Where a push to {@code branch} goes: its own entry, else {@code *}'s; empty: nowhere. */
    public Optional<String> targetOf(String branch) {
        return Optional.ofNullable(branches.getOrDefault(branch, branches.get("*")));
    }

    public ObjectNode view() {
        ObjectNode n = Json.object();
        n.put("appId", appId);
        n.put("repository", repository);
        ObjectNode b = n.putObject("branches");
        branches.forEach(b::put);
        n.put("hasToken", hasToken);
        n.put("updatedAt", updatedAt.toString());
        n.put("updatedBy", updatedBy);
        n.put("webhook", "/webhooks/github/" + appId);
        return n;
    }
}
