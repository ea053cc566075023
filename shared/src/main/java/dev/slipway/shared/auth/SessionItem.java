package dev.slipway.shared.auth;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.time.Instant;

/** A {@link Session} in the access table (key {@code session#<id>}); DynamoDB's TTL removes it after it ends. */
@DynamoDbBean
public class SessionItem {
    static final String KEY_PREFIX = "session#";
    private String id;
    private String kind;
    private String principalId;
    private String name;
    private String role;
    /** App ids separated by commas, or {@code *}. */
    private String apps;
    private String tokenId;
    private String csrfToken;
    private String sha256;
    private String createdAt;
    private String expiresAt;
    private Long expiresAtEpoch;

    @DynamoDbPartitionKey
    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getKind() { return kind; }
    public void setKind(String v) { kind = v; }
    public String getPrincipalId() { return principalId; }
    public void setPrincipalId(String v) { principalId = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getApps() { return apps; }
    public void setApps(String v) { apps = v; }
    public String getTokenId() { return tokenId; }
    public void setTokenId(String v) { tokenId = v; }
    public String getCsrfToken() { return csrfToken; }
    public void setCsrfToken(String v) { csrfToken = v; }
    public String getSha256() { return sha256; }
    public void setSha256(String v) { sha256 = v; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String v) { createdAt = v; }
    public String getExpiresAt() { return expiresAt; }
    public void setExpiresAt(String v) { expiresAt = v; }
    public Long getExpiresAtEpoch() { return expiresAtEpoch; }
    public void setExpiresAtEpoch(Long v) { expiresAtEpoch = v; }

    static SessionItem from(Session s) {
        SessionItem i = new SessionItem();
        Principal p = s.principal();
        i.id = KEY_PREFIX + s.id();
        i.kind = p.kind().name();
        i.principalId = p.id();
        i.name = p.name();
        i.role = p.role().wire();
        i.apps = TokenItem.appsAttribute(p.apps());
        i.tokenId = s.tokenId();
        i.csrfToken = s.csrfToken();
        i.sha256 = s.secretSha256();
        i.createdAt = s.createdAt().toString();
        i.expiresAt = s.expiresAt().toString();
        i.expiresAtEpoch = s.expiresAt().getEpochSecond();
        return i;
    }

    Session toSession() {
        Principal p = new Principal(Principal.Kind.valueOf(kind), principalId, name, Role.fromWire(role), TokenItem.appsOf(apps));
        return new Session(id.substring(KEY_PREFIX.length()), p, tokenId, csrfToken, sha256, Instant.parse(createdAt),
                Instant.parse(expiresAt));
    }
}
