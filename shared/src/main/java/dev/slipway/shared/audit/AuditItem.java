package dev.slipway.shared.audit;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/**
 * The stored form of an audit event (seq ≥ 1) and of the chain head (seq 0, which only carries
 * headSeq and headHash). One table, key (appId, seq), so an app's trail is one Query in order.
 */
@DynamoDbBean
public class AuditItem {
    private String appId;
    private Long seq;
    private String time;
    private String actor;
    private String action;
    private String target;
    private String before;
    private String after;
    private String requestId;
    private String sourceIp;
    private String prevHash;
    private String hash;
    private Long headSeq;
    private String headHash;

    @DynamoDbPartitionKey
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }

    @DynamoDbSortKey
    public Long getSeq() { return seq; }
    public void setSeq(Long v) { seq = v; }

    public String getTime() { return time; }
    public void setTime(String v) { time = v; }
    public String getActor() { return actor; }
    public void setActor(String v) { actor = v; }
    public String getAction() { return action; }
    public void setAction(String v) { action = v; }
    public String getTarget() { return target; }
    public void setTarget(String v) { target = v; }
    public String getBefore() { return before; }
    public void setBefore(String v) { before = v; }
    public String getAfter() { return after; }
    public void setAfter(String v) { after = v; }
    public String getRequestId() { return requestId; }
    public void setRequestId(String v) { requestId = v; }
    public String getSourceIp() { return sourceIp; }
    public void setSourceIp(String v) { sourceIp = v; }
    public String getPrevHash() { return prevHash; }
    public void setPrevHash(String v) { prevHash = v; }
    public String getHash() { return hash; }
    public void setHash(String v) { hash = v; }
    public Long getHeadSeq() { return headSeq; }
    public void setHeadSeq(Long v) { headSeq = v; }
    public String getHeadHash() { return headHash; }
    public void setHeadHash(String v) { headHash = v; }
}
