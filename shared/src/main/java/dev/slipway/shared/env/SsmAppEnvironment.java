package dev.slipway.shared.env;

import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** App environment variables as SSM SecureStrings: {@code <prefix>/<appId>/<NAME>}. */
public final class SsmAppEnvironment implements AppEnvironment {
    private final SsmClient ssm;
    private final String prefix;

    public SsmAppEnvironment(SsmClient ssm, String prefix) {
        this.ssm = ssm;
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    private String path(String appId) {
        return prefix + "/" + appId + "/";
    }

    @Override
    public void putAll(String appId, Map<String, String> variables) {
        variables.forEach((name, value) -> ssm.putParameter(r -> r.name(path(appId) + name).value(value)
                .type(ParameterType.SECURE_STRING).overwrite(true)));
    }

    @Override
    public SortedSet<String> names(String appId) {
        return new TreeSet<>(fetch(appId, false).keySet());
    }

    @Override
    public Map<String, String> values(String appId) {
        return fetch(appId, true);
    }

    private Map<String, String> fetch(String appId, boolean decrypt) {
        Map<String, String> out = new TreeMap<>();
        ssm.getParametersByPathPaginator(r -> r.path(path(appId)).recursive(false).withDecryption(decrypt))
                .stream().flatMap(page -> page.parameters().stream())
                .forEach((Parameter p) -> out.put(p.name().substring(path(appId).length()), decrypt ? p.value() : ""));
        return out;
    }
}
