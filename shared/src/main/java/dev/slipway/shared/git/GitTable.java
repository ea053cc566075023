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

    /** Every row of a partition. */
    List<GitItem> partition(String repo) {
        List<GitItem> out = new ArrayList<>();
        table.query(QueryEnhancedRequest.builder()
                        .queryConditional(QueryConditional.keyEqualTo(Key.builder().partitionValue(repo).build()))
                        .consistentRead(true).build())
                .items().forEach(out::add);
        return out;
    }

    /**
     * Records packs as committed (and forgets the packs they replace) in one transaction. A replaced
     * pack whose row is given in {@code retire} is kept as a retired row, so that its files are deleted
     * once no reader can hold the old list ({@link GitStore#deleteRetiredPacks}).
     */
    void commitPacks(String repo, List<GitItem> add, List<String> removePackNames) {
        commitPacks(repo, add, removePackNames, List.of());
    }

    void commitPacks(String repo, List<GitItem> add, List<String> removePackNames, List<GitItem> retire) {
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
        for (GitItem r : retire) {
            tx.addPutItem(table, r);
            n++;
        }
        if (!retire.isEmpty()) {
            GitItem index = new GitItem();
            index.setRepo(GitItem.RETIRED_INDEX);
            index.setName(repo);
            tx.addPutItem(table, index);
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
            retire.forEach(table::putItem);
            if (!retire.isEmpty()) {
                GitItem index = new GitItem();
                index.setRepo(GitItem.RETIRED_INDEX);
                index.setName(repo);
                table.putItem(index);
            }
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

    /** Forgets retired rows whose files are gone (and the app's index row when none is left). */
    void forgetRetired(String repo, List<String> packNames, boolean last) {
        packNames.forEach(name -> table.deleteItem(Key.builder().partitionValue(repo).sortValue(GitItem.RETIRED + name).build()));
        if (last) {
            table.deleteItem(Key.builder().partitionValue(GitItem.RETIRED_INDEX).sortValue(repo).build());
        }
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
