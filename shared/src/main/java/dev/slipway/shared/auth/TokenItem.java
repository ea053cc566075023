package dev.slipway.shared.auth;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** A {@link Token} in the access table (key {@code token#<id>}). */
@DynamoDbBean
public class TokenItem {
    static final String KEY_PREFIX = "token#";
    private String id;
    private String name;
    private String role;
    /** App ids separated by commas, or {@code *}. */
    private String apps;
    private String createdAt;
    private String expiresAt;
    private String revokedAt;
    private String lastUsedAt;
    private String sha256;
    private String createdBy;
    private String rotatedTo;
    private Long version;

    @DynamoDbPartitionKey
    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getApps() { return apps; }
    public void setApps(String v) { apps = v; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String v) { createdAt = v; }
    public String getExpiresAt() { return expiresAt; }
    public void setExpiresAt(String v) { expiresAt = v; }
    public String getRevokedAt() { return revokedAt; }
    public void setRevokedAt(String v) { revokedAt = v; }
    public String getLastUsedAt() { return lastUsedAt; }
    public void setLastUsedAt(String v) { lastUsedAt = v; }
    public String getSha256() { return sha256; }
    public void setSha256(String v) { sha256 = v; }
    public String getCreatedBy() { return createdBy; }
    public void setCreatedBy(String v) { createdBy = v; }
    public String getRotatedTo() { return rotatedTo; }
    public void setRotatedTo(String v) { rotatedTo = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }

    static TokenItem from(Token t) {
        TokenItem i = new TokenItem();
        i.id = KEY_PREFIX + t.id();
        i.name = t.name();
        i.role = t.role().wire();
        i.apps = appsAttribute(t.apps());
        i.createdAt = t.createdAt().toString();
        i.expiresAt = t.expiresAt().toString();
        i.revokedAt = t.revokedAt() == null ? null : t.revokedAt().toString();
        i.lastUsedAt = t.lastUsedAt() == null ? null : t.lastUsedAt().toString();
        i.sha256 = t.sha256();
        i.createdBy = t.createdBy();
        i.rotatedTo = t.rotatedTo();
        i.version = t.version();
        return i;
    }

    /** A principal's apps as stored: ids separated by commas, or {@code *} for every app (null). */
    static String appsAttribute(Set<String> apps) {
        return apps == null ? "*" : String.join(",", apps);
    }

    static Set<String> appsOf(String attribute) {
        return "*".equals(attribute) ? null : new LinkedHashSet<>(Arrays.asList(attribute.split(",")));
    }

    Token toToken() {
        return new Token(id.substring(KEY_PREFIX.length()), name, Role.fromWire(role), appsOf(apps), Instant.parse(createdAt),
                Instant.parse(expiresAt), revokedAt == null ? null : Instant.parse(revokedAt),
                lastUsedAt == null ? null : Instant.parse(lastUsedAt), sha256, createdBy, rotatedTo, version == null ? 0 : version);
    }
}
