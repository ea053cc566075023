package dev.slipway.shared.data;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/**
 * One record of the data table: an app's database link ({@code link}), its backups
 * ({@code backup#<id>}), restores ({@code restore#<id>}), settings ({@code settings}). The record itself
 * is JSON in {@code body}; {@code version} makes every write a compare-and-set.
 */
@DynamoDbBean
public class DataItem {
    private String appId;
    private String id;
    private String body;
    private Long version;
    private Long expiresAtEpoch;

    @DynamoDbPartitionKey
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }
    @DynamoDbSortKey
    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getBody() { return body; }
    public void setBody(String v) { body = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }
    /** Set on records that go away by themselves (DynamoDB TTL). */
    public Long getExpiresAtEpoch() { return expiresAtEpoch; }
    public void setExpiresAtEpoch(Long v) { expiresAtEpoch = v; }
}
