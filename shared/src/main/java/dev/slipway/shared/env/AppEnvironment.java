package dev.slipway.shared.env;

import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.EnvNames;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An app's environment variables: secret values, kept encrypted, never in git, logs or answers.
 * Each variable applies to a set of {@link EnvScope}s (default: both). In AWS each is an SSM
 * SecureString per scope; locally an AES-GCM file under the data folder.
 */
public interface AppEnvironment {
    /** A value and the scopes it applies to (not empty). */
    record Entry(String value, Set<EnvScope> scopes) {
        public Entry {
            if (value == null || scopes == null || scopes.isEmpty()) {
                throw new IllegalArgumentException("a variable needs a value and at least one scope");
            }
            scopes = Set.copyOf(scopes);
        }

        @Override
        public String toString() {
            return "Entry[scopes=" + scopes + "]"; // never the value: records end up in logs
        }
    }

    /** Sets (or replaces) these variables in both scopes: what an import's .env files give. */
    default void putAll(String appId, Map<String, String> variables) {
        Map<String, Entry> entries = new TreeMap<>();
        variables.forEach((n, v) -> entries.put(n, new Entry(v, EnvScope.ALL)));
        change(appId, entries, List.of());
    }

    /**
     * Sets each variable of {@code set} to exactly its entry's scopes (it leaves the others), and
     * removes the names of {@code remove} from every scope. Unknown names in {@code remove} are ignored.
     */
    void change(String appId, Map<String, Entry> set, Collection<String> remove);

    /** Names and scopes in name order, never values: what API answers and audit events may show. */
    List<EnvVariable> list(String appId);

    default SortedSet<String> names(String appId) {
        SortedSet<String> out = new TreeSet<>();
        list(appId).forEach(v -> out.add(v.name()));
        return out;
    }

    /** The values of the variables in {@code scope}, for builds (and build keys) only. */
    Map<String, String> values(String appId, EnvScope scope);

    /**
     * The values of one preview only (its own database's URL: docs/data.md), which that preview's server gets over the
     * preview scope's. Runtime values: never given to a build, since previews of one commit share one release.
     */
    Map<String, String> previewValues(String appId, String preview);

    /** Sets (or replaces) these values of one preview; the others it has stay. */
    void putPreviewValues(String appId, String preview, Map<String, String> values);

    /** Removes every value of one preview (it was removed); none is fine. */
    void removePreviewValues(String appId, String preview);

    static AppEnvironment from(AwsClients clients) {
        var config = clients.config();
        return config.get(EnvNames.APP_ENV_LOCAL_DIR)
                .<AppEnvironment>map(dir -> new LocalEncryptedAppEnvironment(Path.of(dir)))
                .orElseGet(() -> new SsmAppEnvironment(clients.ssm(), config.require(EnvNames.APP_ENV_PARAMETER_PREFIX)));
    }
}
