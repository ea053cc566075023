package dev.slipway.shared.idempotency;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.util.Map;

/** The stored form of an idempotency record (key: pk; TTL attribute: expiresAt, epoch seconds). */
@DynamoDbBean
public class IdempotencyItem {
    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String COMPLETED = "COMPLETED";

    private String pk;
    private String state;
    private String fingerprint;
    private String owner;
    /** Epoch milliseconds; an IN_PROGRESS record past it may be taken over. */
    private Long lockedUntil;
    /** Epoch seconds (DynamoDB TTL deletes the item some time after). */
    private Long expiresAt;
    private String createdAt;
    private Integer statusCode;
    private Map<String, String> headers;
    /** The response body, gzipped; absent when it was too large to keep. */
    private SdkBytes body;
    private Boolean base64;
    private Boolean bodyKept;

    @DynamoDbPartitionKey
    public String getPk() { return pk; }
    public void setPk(String v) { pk = v; }
    public String getState() { return state; }
    public void setState(String v) { state = v; }
    public String getFingerprint() { return fingerprint; }
    public void setFingerprint(String v) { fingerprint = v; }
    public String getOwner() { return owner; }
    public void setOwner(String v) { owner = v; }
    public Long getLockedUntil() { return lockedUntil; }
    public void setLockedUntil(Long v) { lockedUntil = v; }
    public Long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(Long v) { expiresAt = v; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String v) { createdAt = v; }
    public Integer getStatusCode() { return statusCode; }
    public void setStatusCode(Integer v) { statusCode = v; }
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> v) { headers = v; }
    public SdkBytes getBody() { return body; }
    public void setBody(SdkBytes v) { body = v; }
    public Boolean getBase64() { return base64; }
    public void setBase64(Boolean v) { base64 = v; }
    public Boolean getBodyKept() { return bodyKept; }
    public void setBodyKept(Boolean v) { bodyKept = v; }
}
