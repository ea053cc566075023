package dev.slipway.shared.deploy.store.dynamodb;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondaryPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondarySortKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/**
 * One row of the releases table. Partition {@code appId}; sort key {@code kind#id}:
 * {@code release#<id>}, {@code deployment#<id>}, {@code alias#<name>}, {@code aliasv#<name>#<version>} (the alias's history), {@code build#<buildKey>}
 * (which READY release a build key produced), {@code lease#<buildKey>} (which deployment builds a
 * build key now, until when) and {@code content#<sha256>} (where the app already stores those bytes). Conditions use the plain attributes; the record itself is {@code doc} (JSON).
 */
@DynamoDbBean
public class DeployItem {
    public static final String RELEASE = "release#";
    public static final String DEPLOYMENT = "deployment#";
    public static final String ALIAS = "alias#";
    /** {@code aliasv#<name>#<version, 19 digits>}: one item per alias version (its history). */
    public static final String ALIAS_HISTORY = "aliasv#";
    public static final String BUILD = "build#";
    public static final String CONTENT = "content#";
    /** {@code lease#<buildKey>}: the deployment building these inputs ({@code holder}) until {@code heldUntil}. */
    public static final String LEASE = "lease#";
    /** {@code preview#<name>}: a preview (its alias is {@code alias#preview:<name>}). */
    public static final String PREVIEW = "preview#";
    /** {@code sweep#<releaseId>}: a release that may have lost its last reference; the cleanup checks it. */
    public static final String SWEEP = "sweep#";
    /** {@code ref#<releaseId>#<aliasName>}: this alias points at this release (one query tells whether any does). */
    public static final String REF = "ref#";
    public static final String DUE_PREVIEW = "preview";
    public static final String DUE_SWEEP = "sweep";
    /** The sparse index of what the cleanup must look at, by when (template.yaml: ReleasesTable DueIndex). */
    public static final String DUE_INDEX = "DueIndex";

    private String appId;
    private String key;
    private String status;
    private Long version;
    private String releaseId;
    private String doc;
    private String dueKind;
    private Long dueAt;
    private String holder;
    private Long heldUntil;

    @DynamoDbPartitionKey
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }
    @DynamoDbSortKey
    public String getKey() { return key; }
    public void setKey(String v) { key = v; }
    public String getStatus() { return status; }
    public void setStatus(String v) { status = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }
    public String getReleaseId() { return releaseId; }
    public void setReleaseId(String v) { releaseId = v; }
    public String getDoc() { return doc; }
    public void setDoc(String v) { doc = v; }
    /** {@code preview} or {@code sweep}; absent on every other item (the index is sparse). */
    @DynamoDbSecondaryPartitionKey(indexNames = DUE_INDEX)
    public String getDueKind() { return dueKind; }
    public void setDueKind(String v) { dueKind = v; }
    /** Epoch milliseconds from which the cleanup acts on the item. */
    @DynamoDbSecondarySortKey(indexNames = DUE_INDEX)
    public Long getDueAt() { return dueAt; }
    public void setDueAt(Long v) { dueAt = v; }
    /** A build lease's deployment id; absent on every other item. */
    public String getHolder() { return holder; }
    public void setHolder(String v) { holder = v; }
    /** Epoch milliseconds until which a build lease holds; absent on every other item. */
    public Long getHeldUntil() { return heldUntil; }
    public void setHeldUntil(Long v) { heldUntil = v; }

    public static DeployItem of(String appId, String key, String status, Long version, String releaseId, String doc) {
        DeployItem i = new DeployItem();
        i.appId = appId;
        i.key = key;
        i.status = status;
        i.version = version;
        i.releaseId = releaseId;
        i.doc = doc;
        return i;
    }
}
