package dev.slipway.shared.gitserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Locale;
import java.util.Set;

/**
 * What an app lets a push do ({@code GET/PUT /apps/{appId}/git}).
 *
 * @param deployOnPush     {@link DeployOnPush#OFF} (default), {@link DeployOnPush#PRODUCTION} (a push to main
 *                         deploys it to production) or {@link DeployOnPush#ALL} (and a push to another branch
 *                         deploys it to that branch's preview)
 * @param allowMainRewrite whether main may be force-pushed or deleted (off by default: main is the history
 *                         production is built from)
 * @param version          the stored version (0: never set), for compare-and-set
 */
public record GitSettings(DeployOnPush deployOnPush, boolean allowMainRewrite, long version) {
    public static final GitSettings DEFAULT = new GitSettings(DeployOnPush.OFF, false, 0);
    static final Set<String> FIELDS = Set.of("deployOnPush", "allowMainRewrite");

    public enum DeployOnPush {
        OFF, PRODUCTION, ALL;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A PUT body: every field optional (an absent one keeps its value); problems by JSON Pointer (400). */
    public static GitSettings fromJson(ObjectNode body, GitSettings current) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        DeployOnPush deploy = current.deployOnPush();
        String d = in.string("deployOnPush").orElse(null);
        if (d != null) {
            try {
                deploy = DeployOnPush.valueOf(d.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                in.error("deployOnPush", "must be off, production (main deploys to production) or all (other branches to their previews too)");
            }
        }
        boolean rewrite = in.bool("allowMainRewrite").orElse(current.allowMainRewrite());
        in.throwIfInvalid();
        return new GitSettings(deploy, rewrite, current.version());
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("deployOnPush", deployOnPush.json());
        n.put("allowMainRewrite", allowMainRewrite);
        return n;
    }
}
