package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.time.Instant;

/**
 * A named preview of an app: its own URL ({@code {name}--{appId}}), an expiry, and optionally a
 * token visitors must show. Which release it serves is its alias ({@code preview:<name>}); this
 * record is the rest. Changes by compare-and-set on {@code version}.
 *
 * @param tokenSha256 lowercase hex SHA-256 of the current token when protected; the token itself is
 *                    shown once and never stored
 * @param ref         the branch or commit its last deployment was started from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Preview(String appId, String name, Instant createdAt, String createdBy, Instant expiresAt,
                      @JsonProperty("protected") boolean isProtected, String tokenSha256, Instant tokenIssuedAt,
                      String ref, String lastDeploymentId, Instant updatedAt, long version) {

    @JsonCreator
    public Preview {
    }

    /** The alias that holds the preview's release. */
    public String aliasName() {
        return aliasName(name);
    }

    public static String aliasName(String name) {
        return new DeployTarget.Preview(name).aliasName();
    }

    /** The router key and host label: {@code {name}--{appId}}. */
    public String hostLabel() {
        return name + "--" + appId;
    }

    public Preview next(Instant now) {
        return new Preview(appId, name, createdAt, createdBy, expiresAt, isProtected, tokenSha256, tokenIssuedAt, ref,
                lastDeploymentId, now, version + 1);
    }

    public Preview withExpiry(Instant at) {
        return new Preview(appId, name, createdAt, createdBy, at, isProtected, tokenSha256, tokenIssuedAt, ref,
                lastDeploymentId, updatedAt, version);
    }

    public Preview withProtection(String sha256, Instant issuedAt) {
        return new Preview(appId, name, createdAt, createdBy, expiresAt, sha256 != null, sha256, sha256 == null ? null : issuedAt,
                ref, lastDeploymentId, updatedAt, version);
    }

    public Preview withDeployment(String ref, String deploymentId) {
        return new Preview(appId, name, createdAt, createdBy, expiresAt, isProtected, tokenSha256, tokenIssuedAt, ref,
                deploymentId, updatedAt, version);
    }

    /** What audit events record: never the token hash. */
    public ObjectNode audited() {
        ObjectNode n = Json.MAPPER.valueToTree(this);
        n.remove("tokenSha256");
        return n;
    }
}
