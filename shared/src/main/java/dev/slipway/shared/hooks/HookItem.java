package dev.slipway.shared.hooks;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.time.Instant;

/** A {@link DeployHook} in the access table (key {@code hook#<id>}). */
@DynamoDbBean
public class HookItem {
    static final String KEY_PREFIX = "hook#";
    private String id;
    private String appId;
    private String name;
    private String ref;
    private String target;
    private String createdAt;
    private String createdBy;
    private String revokedAt;
    private String sha256;
    private Long version;

    @DynamoDbPartitionKey
    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getRef() { return ref; }
    public void setRef(String v) { ref = v; }
    public String getTarget() { return target; }
    public void setTarget(String v) { target = v; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String v) { createdAt = v; }
    public String getCreatedBy() { return createdBy; }
    public void setCreatedBy(String v) { createdBy = v; }
    public String getRevokedAt() { return revokedAt; }
    public void setRevokedAt(String v) { revokedAt = v; }
    public String getSha256() { return sha256; }
    public void setSha256(String v) { sha256 = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }

    static HookItem from(DeployHook h) {
        HookItem i = new HookItem();
        i.id = KEY_PREFIX + h.id();
        i.appId = h.appId();
        i.name = h.name();
        i.ref = h.ref();
        i.target = h.target().name();
        i.createdAt = h.createdAt().toString();
        i.createdBy = h.createdBy();
        i.revokedAt = h.revokedAt() == null ? null : h.revokedAt().toString();
        i.sha256 = h.sha256();
        i.version = h.version();
        return i;
    }

    DeployHook toHook() {
        return new DeployHook(id.substring(KEY_PREFIX.length()), appId, name, ref, DeployHook.Target.valueOf(target),
                Instant.parse(createdAt), createdBy, revokedAt == null ? null : Instant.parse(revokedAt), sha256,
                version == null ? 0 : version);
    }
}
