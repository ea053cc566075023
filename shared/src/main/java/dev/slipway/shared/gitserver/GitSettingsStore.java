package dev.slipway.shared.gitserver;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An app's {@link GitSettings}, one row of the git table ({@code repo} = app, {@code name} =
 * {@code settings}), changed by compare-and-set on its version with its audit event in one transaction.
 */
public final class GitSettingsStore {
    static final String NAME = "settings";
    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<Item> table;
    private final AuditLedger ledger;
    private final Clock clock;

    public GitSettingsStore(DynamoDbEnhancedClient client, String gitTable, AuditLedger ledger, Clock clock) {
        this.client = client;
        this.table = client.table(gitTable, TableSchema.fromBean(Item.class));
        this.ledger = ledger;
        this.clock = clock;
    }

    public GitSettings get(String appId) {
        Item i = table.getItem(r -> r.key(Key.builder().partitionValue(appId).sortValue(NAME).build()).consistentRead(true));
        if (i == null) {
            return GitSettings.DEFAULT;
        }
        return new GitSettings(GitSettings.DeployOnPush.valueOf(i.getDeployOnPush()), Boolean.TRUE.equals(i.getAllowMainRewrite()),
                i.getVersion() == null ? 0 : i.getVersion());
    }

    /** Writes {@code next} if the stored version is still {@code next.version()}; 409 otherwise. */
    public GitSettings put(String appId, GitSettings next, Actor actor) {
        GitSettings before = get(appId);
        if (before.version() != next.version()) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The git settings of " + appId + " changed meanwhile; read and retry");
        }
        if (before.deployOnPush() == next.deployOnPush() && before.allowMainRewrite() == next.allowMainRewrite()) {
            return before;
        }
        Item item = new Item();
        item.setRepo(appId);
        item.setName(NAME);
        item.setDeployOnPush(next.deployOnPush().name());
        item.setAllowMainRewrite(next.allowMainRewrite());
        item.setVersion(next.version() + 1);
        Expression condition = next.version() == 0
                ? Expression.builder().expression("attribute_not_exists(#n)").putExpressionName("#n", "name").build()
                : Expression.builder().expression("version = :v").putExpressionValue(":v", AttributeValue.fromN(Long.toString(next.version()))).build();
        AuditEvent event = AuditEvent.next(ledger.head(appId), appId, clock.instant().truncatedTo(ChronoUnit.MILLIS), actor,
                "git.settings-updated", "app/" + appId + "/git", before.toJson(), next.toJson());
        var tx = TransactWriteItemsEnhancedRequest.builder();
        List<WriteConflict.Part> parts = new ArrayList<>(ledger.appendTo(tx, event));
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(Item.class).item(item).conditionExpression(condition).build());
        parts.add(WriteConflict.Part.ITEM);
        try {
            Transactions.write(client, tx.build(), parts);
        } catch (WriteConflict e) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The git settings of " + appId + " changed meanwhile; retry");
        }
        return new GitSettings(next.deployOnPush(), next.allowMainRewrite(), next.version() + 1);
    }

    /** The row as stored. */
    @DynamoDbBean
    public static class Item {
        private String repo;
        private String name;
        private String deployOnPush;
        private Boolean allowMainRewrite;
        private Long version;

        @DynamoDbPartitionKey
        public String getRepo() { return repo; }
        public void setRepo(String v) { repo = v; }
        @DynamoDbSortKey
        public String getName() { return name; }
        public void setName(String v) { name = v; }
        public String getDeployOnPush() { return deployOnPush; }
        public void setDeployOnPush(String v) { deployOnPush = v; }
        public Boolean getAllowMainRewrite() { return allowMainRewrite; }
        public void setAllowMainRewrite(Boolean v) { allowMainRewrite = v; }
        public Long getVersion() { return version; }
        public void setVersion(Long v) { version = v; }
    }
}
