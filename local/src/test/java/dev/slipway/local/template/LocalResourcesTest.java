package dev.slipway.local.template;

import dev.slipway.local.EmbeddedEngines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A table kept in .slipway/ from an earlier start gains the indexes the template added since, data intact. */
class LocalResourcesTest {
    private static final String OLD = """
            Resources:
              UpgradedTable:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                  KeySchema:
                    - {AttributeName: pk, KeyType: HASH}
            """;
    private static final String NEW = """
            Resources:
              UpgradedTable:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                    - {AttributeName: dueKind, AttributeType: S}
                    - {AttributeName: dueAt, AttributeType: N}
                  KeySchema:
                    - {AttributeName: pk, KeyType: HASH}
                  GlobalSecondaryIndexes:
                    - IndexName: DueIndex
                      KeySchema:
                        - {AttributeName: dueKind, KeyType: HASH}
                        - {AttributeName: dueAt, KeyType: RANGE}
                      Projection: {ProjectionType: KEYS_ONLY}
            """;

    @Test
    void anIndexTheTemplateGainedIsAddedToAKeptTable(@TempDir Path dir) throws Exception {
        var dynamo = EmbeddedEngines.get().dynamoClient;
        Files.writeString(dir.resolve("old.yaml"), OLD);
        Files.writeString(dir.resolve("new.yaml"), NEW);
        LocalNames names = new LocalNames();
        String table = new LocalResources(SamTemplate.read(dir.resolve("old.yaml")), names).createTables(dynamo).get(0);
        dynamo.putItem(p -> p.tableName(table).item(java.util.Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("kept"),
                "dueKind", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("sweep"),
                "dueAt", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("5"))));
        assertTrue(dynamo.describeTable(d -> d.tableName(table)).table().globalSecondaryIndexes().isEmpty());

        new LocalResources(SamTemplate.read(dir.resolve("new.yaml")), names).createTables(dynamo);
        var indexes = dynamo.describeTable(d -> d.tableName(table)).table().globalSecondaryIndexes();
        assertEquals(1, indexes.size());
        assertEquals("DueIndex", indexes.get(0).indexName());
        // The item written before the index existed is in it (backfilled, as DynamoDB does while the index is CREATING).
        int found = 0;
        for (int i = 0; i < 100 && found == 0; i++) {
            found = dynamo.query(q -> q.tableName(table).indexName("DueIndex").keyConditionExpression("dueKind = :k")
                    .expressionAttributeValues(java.util.Map.of(":k", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("sweep")))).count();
            if (found == 0) {
                Thread.sleep(50);
            }
        }
        assertEquals(1, found);
        // A third start changes nothing.
        new LocalResources(SamTemplate.read(dir.resolve("new.yaml")), names).createTables(dynamo);
        assertEquals(1, dynamo.describeTable(d -> d.tableName(table)).table().globalSecondaryIndexes().size());
    }
}
