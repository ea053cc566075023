package dev.slipway.shared.env;

import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * App environment variables as SSM SecureStrings, one per scope: {@code <prefix>/<appId>/<scope>/<NAME>}
 * (a variable of both scopes is stored twice), so a deployment's values are exactly its scope's, one
 * {@code get-parameters-by-path} of {@link #scopePath} (read by the deploy workflow's ExportSource; a
 * build gets them as its env.json and has no SSM rights). Variables stored before scopes sit at
 * {@code <prefix>/<appId>/<NAME>} and count for both scopes ({@link #values} reads that level too);
 * a scoped copy of the same name wins, and any change of a name removes its old copy.
 */
public final class SsmAppEnvironment implements AppEnvironment {
    private final SsmClient ssm;
    private final String prefix;

    public SsmAppEnvironment(SsmClient ssm, String prefix) {
        this.ssm = ssm;
        this.prefix = trim(prefix);
    }

    /** The SSM path holding exactly one scope's variables of an app (what a deployment of that scope gets). */
    public static String scopePath(String prefix, String appId, EnvScope scope) {
        return trim(prefix) + "/" + appId + "/" + scope.id();
    }

    private static String trim(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    private String legacyPath(String appId) {
        return prefix + "/" + appId;
    }

    @Override
    public void change(String appId, Map<String, Entry> set, Collection<String> remove) {
        // Removals first, then writes: a failure part way leaves a variable in fewer scopes, never
        // in a scope it was taken out of (a production-only value must not linger in preview).
        List<String> gone = new ArrayList<>();
        for (String name : remove) {
            gone.add(legacyPath(appId) + "/" + name);
            for (EnvScope s : EnvScope.values()) {
                gone.add(scopePath(prefix, appId, s) + "/" + name);
            }
        }
        set.forEach((name, e) -> {
            gone.add(legacyPath(appId) + "/" + name);
            for (EnvScope s : EnvScope.values()) {
                if (!e.scopes().contains(s)) {
                    gone.add(scopePath(prefix, appId, s) + "/" + name);
                }
            }
        });
        for (int i = 0; i < gone.size(); i += 10) { // DeleteParameters takes at most 10 names; absent ones are fine
            List<String> batch = gone.subList(i, Math.min(gone.size(), i + 10));
            ssm.deleteParameters(r -> r.names(batch));
        }
        set.forEach((name, e) -> e.scopes().stream().sorted().forEach(s ->
                ssm.putParameter(r -> r.name(scopePath(prefix, appId, s) + "/" + name).value(e.value())
                        .type(ParameterType.SECURE_STRING).overwrite(true))));
    }

    @Override
    public List<EnvVariable> list(String appId) {
        Map<String, Set<EnvScope>> scopes = new TreeMap<>();
        Map<String, Instant> updated = new TreeMap<>();
        for (EnvScope s : EnvScope.values()) {
            fetch(scopePath(prefix, appId, s), false).forEach(p -> {
                String name = name(p);
                scopes.computeIfAbsent(name, n -> EnumSet.noneOf(EnvScope.class)).add(s);
                updated.merge(name, p.lastModifiedDate(), (a, b) -> a == null || b != null && b.isAfter(a) ? b : a);
            });
        }
        for (Parameter p : fetch(legacyPath(appId), false)) {
            String name = name(p);
            if (!scopes.containsKey(name)) {
                scopes.put(name, EnumSet.allOf(EnvScope.class));
                updated.put(name, p.lastModifiedDate());
            }
        }
        List<EnvVariable> out = new ArrayList<>();
        scopes.forEach((name, s) -> out.add(new EnvVariable(name, s, updated.get(name))));
        return out;
    }

    @Override
    public Map<String, String> values(String appId, EnvScope scope) {
        Map<String, String> out = new TreeMap<>();
        fetch(legacyPath(appId), true).forEach(p -> out.put(name(p), p.value()));
        fetch(scopePath(prefix, appId, scope), true).forEach(p -> out.put(name(p), p.value()));
        return out;
    }

    /** A preview's own values: {@code <prefix>/<appId>/previews/<preview>/<NAME>}, below what {@link #values} reads. */
    public static String previewPath(String prefix, String appId, String preview) {
        return trim(prefix) + "/" + appId + "/previews/" + preview;
    }

    @Override
    public Map<String, String> previewValues(String appId, String preview) {
        Map<String, String> out = new TreeMap<>();
        fetch(previewPath(prefix, appId, preview), true).forEach(p -> out.put(name(p), p.value()));
        return out;
    }

    @Override
    public void putPreviewValues(String appId, String preview, Map<String, String> values) {
        values.forEach((name, value) -> ssm.putParameter(r -> r.name(previewPath(prefix, appId, preview) + "/" + name).value(value)
                .type(ParameterType.SECURE_STRING).overwrite(true)));
    }

    @Override
    public void removePreviewValues(String appId, String preview) {
        List<String> names = fetch(previewPath(prefix, appId, preview), false).stream().map(Parameter::name).toList();
        for (int i = 0; i < names.size(); i += 10) { // DeleteParameters takes at most 10 names
            List<String> batch = names.subList(i, Math.min(names.size(), i + 10));
            ssm.deleteParameters(r -> r.names(batch));
        }
    }

    private static String name(Parameter p) {
        return p.name().substring(p.name().lastIndexOf('/') + 1);
    }

    /** One level only: the legacy level must not pick up the scopes' parameters below it. */
    private List<Parameter> fetch(String path, boolean decrypt) {
        return ssm.getParametersByPathPaginator(r -> r.path(path).recursive(false).withDecryption(decrypt))
                .stream().flatMap(page -> page.parameters().stream()).toList();
    }
}
