package dev.slipway.shared.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What {@code PUT /apps/{appId}/source} asks for: an https {@code repository}, {@code branches} (branch
 * or {@code *} → production or preview; default main to production, every other branch a preview)
 * and an optional {@code token} for a private repository.
 */
public record NewSource(String repository, Map<String, String> branches, String token) {
    static final Set<String> FIELDS = Set.of("repository", "branches", "token");
    private static final Pattern BRANCH = Pattern.compile("\\*|(?!.*\\.\\.)(?!/)(?!-)[A-Za-z0-9._/-]{1,200}(?<![/.])");

    public static NewSource fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String repository = in.string("repository").orElse(null);
        if (repository == null) {
            in.error("repository", "is required: https://github.com/<owner>/<repo>");
        } else {
            try {
                URI u = new URI(repository);
                if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getUserInfo() != null || u.getQuery() != null
                        || u.getFragment() != null || repository.length() > 300) {
                    in.error("repository", "must be an https URL without credentials, query or fragment (the token goes in \"token\")");
                }
            } catch (Exception e) {
                in.error("repository", "must be an https URL");
            }
        }
        Map<String, String> branches = new TreeMap<>();
        JsonNode b = body.get("branches");
        if (b == null || b.isNull()) {
            branches.put("main", GitHubSource.PRODUCTION);
            branches.put("*", GitHubSource.PREVIEW);
        } else if (!b.isObject() || b.isEmpty() || b.size() > 50) {
            in.error("branches", "must be an object of 1-50 branch names (or \"*\") to \"production\" or \"preview\"");
        } else {
            b.fields().forEachRemaining(e -> {
                String v = e.getValue().isTextual() ? e.getValue().textValue() : "";
                if (!BRANCH.matcher(e.getKey()).matches()) {
                    in.error("branches/" + e.getKey().replace("~", "~0").replace("/", "~1"), "is not a branch name or \"*\"");
                } else if (!v.equals(GitHubSource.PRODUCTION) && !v.equals(GitHubSource.PREVIEW)) {
                    in.error("branches/" + e.getKey().replace("~", "~0").replace("/", "~1"), "must be \"production\" or \"preview\"");
                } else {
                    branches.put(e.getKey(), v);
                }
            });
            if (branches.getOrDefault("*", "").equals(GitHubSource.PRODUCTION)) {
                in.error("branches/*", "every branch cannot deploy production; name the production branch");
            }
        }
        String token = in.string("token").orElse(null);
        if (token != null && (token.isBlank() || token.length() > 1000 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            in.error("token", "must be a repository token (visible ASCII)");
        }
        in.throwIfInvalid();
        return new NewSource(repository, branches, token);
    }

    @Override
    public String toString() {
        return "NewSource[repository=" + repository + ", branches=" + branches + ", token=" + (token == null ? "none" : "…") + "]";
    }
}
