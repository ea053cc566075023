package dev.slipway.shared.github;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** A {@link GitHubSource} in the access table (key {@code source#<appId>}). */
@DynamoDbBean
public class SourceItem {
    static final String KEY_PREFIX = "source#";
    private String id;
    private String appId;
    private String repository;
    private String branchesJson;
    private Boolean hasToken;
    private String updatedAt;
    private String updatedBy;
    private Long version;

    @DynamoDbPartitionKey
    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }
    public String getRepository() { return repository; }
    public void setRepository(String v) { repository = v; }
    public String getBranchesJson() { return branchesJson; }
    public void setBranchesJson(String v) { branchesJson = v; }
    public Boolean getHasToken() { return hasToken; }
    public void setHasToken(Boolean v) { hasToken = v; }
    public String getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(String v) { updatedAt = v; }
    public String getUpdatedBy() { return updatedBy; }
    public void setUpdatedBy(String v) { updatedBy = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }

    static SourceItem from(GitHubSource s) {
        SourceItem i = new SourceItem();
        i.id = KEY_PREFIX + s.appId();
        i.appId = s.appId();
        i.repository = s.repository();
        i.branchesJson = Json.write(new TreeMap<>(s.branches()));
        i.hasToken = s.hasToken();
        i.updatedAt = s.updatedAt().toString();
        i.updatedBy = s.updatedBy();
        i.version = s.version();
        return i;
    }

    GitHubSource toSource() {
        Map<String, String> branches;
        try {
            branches = Json.MAPPER.readValue(branchesJson, new TypeReference<TreeMap<String, String>>() { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new GitHubSource(appId, repository, branches, Boolean.TRUE.equals(hasToken), Instant.parse(updatedAt), updatedBy,
                version == null ? 0 : version);
    }
}
