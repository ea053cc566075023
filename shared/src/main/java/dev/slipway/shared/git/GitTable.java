package dev.slipway.shared.git;

import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.lib.ObjectId;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactDeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.ArrayList;
import java.util.List;

/** The DynamoDB side of the git store: refs (compare-and-set) and the list of committed packs. */
public final class GitTable {
    private static final TableSchema<GitItem> SCHEMA = TableSchema.fromBean(GitItem.class);

    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<GitItem> table;

    public GitTable(DynamoDbEnhancedClient client, String tableName) {
        this.client = client;
        this.table = client.table(tableName, SCHEMA);
    }

    DynamoDbEnhancedClient client() {
        return client;
    }

    List<GitItem> items(String repo, String prefix) {
        List<GitItem> out = new ArrayList<>();
        table.query(QueryEnhancedRequest.builder()
                        .queryConditional(QueryConditional.sortBeginsWith(Key.builder().partitionValue(repo).sortValue(prefix).build()))
                        .consistentRead(true).build())
                .items().forEach(out::add);
        return out;
    }

    /** Records packs as committed (and forgets the packs they replace) in one transaction. */
    void commitPacks(String repo, List<GitItem> add, List<String> removePackNames) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        int n = 0;
        for (GitItem item : add) {
            tx.addPutItem(table, item);
            n++;
        }
        for (String name : removePackNames) {
            tx.addDeleteItem(table, Key.builder().partitionValue(repo).sortValue(GitItem.PACK + name).build());
            n++;
        }
        if (n == 0) {
            return;
        }
        if (n <= 100) {
            client.transactWriteItems(tx.build());
        } else {
            // More than one transaction holds only happens on compaction of a very fragmented repo;
            // adding first and removing after keeps every object reachable at all times.
            add.forEach(table::putItem);
            removePackNames.forEach(name -> table.deleteItem(Key.builder().partitionValue(repo).sortValue(GitItem.PACK + name).build()));
        }
    }

    /**
     * Adds a compare-and-set move of {@code refName} to a transaction: it succeeds only if the ref
     * still points at {@code expectedOld} (or does not exist, when {@code expectedOld} is null).
     */
    public WriteConflict.Part addRefMove(TransactWriteItemsEnhancedRequest.Builder tx, String repo, String refName,
                                         ObjectId expectedOld, ObjectId newId) {
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(GitItem.class)
                .item(GitItem.ref(repo, refName, newId.name()))
                .conditionExpression(expected(expectedOld))
                .build());
        return WriteConflict.Part.REF;
    }

    /** Adds a compare-and-set removal of {@code refName} (it must still point at {@code expectedOld}). */
    public WriteConflict.Part addRefRemoval(TransactWriteItemsEnhancedRequest.Builder tx, String repo, String refName,
                                           ObjectId expectedOld) {
        tx.addDeleteItem(table, TransactDeleteItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(repo).sortValue(GitItem.REF + refName).build())
                .conditionExpression(expected(expectedOld))
                .build());
        return WriteConflict.Part.REF;
    }

    /** A single compare-and-set outside any other change (JGit's own ref updates). */
    boolean compareAndPut(String repo, String refName, ObjectId expectedOld, ObjectId newId) {
        try {
            table.putItem(r -> r.item(GitItem.ref(repo, refName, newId.name())).conditionExpression(expected(expectedOld)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    boolean compareAndRemove(String repo, String refName, ObjectId expectedOld) {
        try {
            table.deleteItem(r -> r.key(Key.builder().partitionValue(repo).sortValue(GitItem.REF + refName).build())
                    .conditionExpression(expected(expectedOld)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    static Expression expected(ObjectId expectedOld) {
        if (expectedOld == null || ObjectId.zeroId().equals(expectedOld)) {
            return Expression.builder().expression("attribute_not_exists(#n)").putExpressionName("#n", "name").build();
        }
        return Expression.builder().expression("objectId = :old")
                .putExpressionValue(":old", AttributeValue.fromS(expectedOld.name())).build();
    }

}
