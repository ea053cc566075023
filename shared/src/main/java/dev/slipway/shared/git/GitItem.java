package dev.slipway.shared.git;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

import java.util.Map;

/**
 * One row of the git table. Partition {@code repo} is the app id; sort key {@code name} is
 * {@code ref:<refName>} for a ref (its {@code objectId}) or {@code pack:<packName>} for a committed
 * pack (its files' extensions and sizes). Refs move only by conditional writes on {@code objectId}.
 */
@DynamoDbBean
public class GitItem {
    static final String REF = "ref:";
    static final String PACK = "pack:";
    /** A pack a compaction replaced: unlisted, its files kept until the grace period ends ({@code lastModified}: when). */
    static final String RETIRED = "retired:";
    /** The partition listing the apps that have retired packs, one row per app. */
    static final String RETIRED_INDEX = "~retired-packs";

    private String repo;
    private String name;
    private String objectId;
    private String source;
    private Map<String, Long> files;
    private Long objectCount;
    private Long lastModified;
    private Integer indexVersion;

    @DynamoDbPartitionKey
    public String getRepo() { return repo; }
    public void setRepo(String v) { repo = v; }
    @DynamoDbSortKey
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getObjectId() { return objectId; }
    public void setObjectId(String v) { objectId = v; }
    public String getSource() { return source; }
    public void setSource(String v) { source = v; }
    public Map<String, Long> getFiles() { return files; }
    public void setFiles(Map<String, Long> v) { files = v; }
    public Long getObjectCount() { return objectCount; }
    public void setObjectCount(Long v) { objectCount = v; }
    public Long getLastModified() { return lastModified; }
    public void setLastModified(Long v) { lastModified = v; }
    public Integer getIndexVersion() { return indexVersion; }
    public void setIndexVersion(Integer v) { indexVersion = v; }

    static GitItem ref(String repo, String refName, String objectId) {
        GitItem i = new GitItem();
        i.repo = repo;
        i.name = REF + refName;
        i.objectId = objectId;
        return i;
    }
}
