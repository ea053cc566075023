package dev.slipway.shared.audit;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/**
 * An app's export cursor: the reserved AuditTable item at seq -1 (outside the chain's 1..n and the
 * head's 0). {@code exportedSeq}/{@code digestKey}/{@code digestSha256} name the last finished
 * export; the {@code pending*} fields are an export claimed but not yet finished (its file and
 * digest are fully determined by them, so any later run can finish it). Moved by compare-and-set
 * on {@code version}.
 */
@DynamoDbBean
public class AuditExportItem {
    private String appId;
    private Long seq;
    private Long version;
    private Long exportedSeq;
    private String digestKey;
    private String digestSha256;
    private Long pendingFromSeq;
    private Long pendingToSeq;
    private String pendingFileSha256;
    private String pendingLastEventHash;
    private String pendingExportedAt;

    @DynamoDbPartitionKey
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }

    @DynamoDbSortKey
    public Long getSeq() { return seq; }
    public void setSeq(Long v) { seq = v; }

    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }
    public Long getExportedSeq() { return exportedSeq; }
    public void setExportedSeq(Long v) { exportedSeq = v; }
    public String getDigestKey() { return digestKey; }
    public void setDigestKey(String v) { digestKey = v; }
    public String getDigestSha256() { return digestSha256; }
    public void setDigestSha256(String v) { digestSha256 = v; }
    public Long getPendingFromSeq() { return pendingFromSeq; }
    public void setPendingFromSeq(Long v) { pendingFromSeq = v; }
    public Long getPendingToSeq() { return pendingToSeq; }
    public void setPendingToSeq(Long v) { pendingToSeq = v; }
    public String getPendingFileSha256() { return pendingFileSha256; }
    public void setPendingFileSha256(String v) { pendingFileSha256 = v; }
    public String getPendingLastEventHash() { return pendingLastEventHash; }
    public void setPendingLastEventHash(String v) { pendingLastEventHash = v; }
    public String getPendingExportedAt() { return pendingExportedAt; }
    public void setPendingExportedAt(String v) { pendingExportedAt = v; }
}
