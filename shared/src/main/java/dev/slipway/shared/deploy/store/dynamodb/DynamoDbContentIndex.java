package dev.slipway.shared.deploy.store.dynamodb;

import dev.slipway.shared.deploy.store.ContentIndex;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchGetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchWriteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link ContentIndex} on the ReleasesTable: {@code content#<sha256>} items, read and written in batches. */
final class DynamoDbContentIndex implements ContentIndex {
    private final DeployTable t;

    DynamoDbContentIndex(DeployTable table) {
        this.t = table;
    }

    @Override
    public Map<String, String> known(String appId, Collection<String> sha256s) {
        Map<String, String> found = new HashMap<>();
        List<String> all = new ArrayList<>(sha256s);
        for (int from = 0; from < all.size(); from += 100) {
            var batch = ReadBatch.builder(DeployItem.class).mappedTableResource(t.table);
            for (String sha : all.subList(from, Math.min(all.size(), from + 100))) {
                batch.addGetItem(DeployTable.key(appId, DeployItem.CONTENT + sha));
            }
            // The enhanced client's pages re-request unprocessed keys itself.
            t.client.batchGetItem(BatchGetItemEnhancedRequest.builder().readBatches(batch.build()).build())
                    .resultsForTable(t.table)
                    .forEach(i -> found.put(i.getKey().substring(DeployItem.CONTENT.length()), i.getDoc()));
        }
        return found;
    }

    @Override
    public void record(String appId, Map<String, String> shaToDoc) {
        List<Map.Entry<String, String>> all = new ArrayList<>(shaToDoc.entrySet());
        for (int from = 0; from < all.size(); from += 25) {
            var batch = WriteBatch.builder(DeployItem.class).mappedTableResource(t.table);
            for (var e : all.subList(from, Math.min(all.size(), from + 25))) {
                batch.addPutItem(DeployItem.of(appId, DeployItem.CONTENT + e.getKey(), null, null, null, e.getValue()));
            }
            var result = t.client.batchWriteItem(BatchWriteItemEnhancedRequest.builder().writeBatches(batch.build()).build());
            // What DynamoDB left unprocessed (throttling) goes in one by one; the SDK retries each put.
            result.unprocessedPutItemsForTable(t.table).forEach(t.table::putItem);
        }
    }

    @Override
    public boolean forget(String appId, String sha256, String doc) {
        try {
            t.table.deleteItem(x -> x.key(DeployTable.key(appId, DeployItem.CONTENT + sha256)).conditionExpression(Expression.builder()
                    .expression("#d = :d").putExpressionName("#d", "doc").putExpressionValue(":d", AttributeValue.fromS(doc)).build()));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
