package dev.slipway.local.template;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Creates on the embedded engines the tables and buckets template.yaml declares, from the
 * template's own properties (keys, indexes, TTL, versioning). Safe to run on every start.
 */
public final class LocalResources {
    private final SamTemplate template;
    private final LocalNames names;

    public LocalResources(SamTemplate template, LocalNames names) {
        this.template = template;
        this.names = names;
    }

    /** @return the physical names of the tables, created or already there */
    public List<String> createTables(DynamoDbClient dynamo) {
        List<String> created = new ArrayList<>();
        template.resourcesOfType(SamTemplate.TABLE).forEach((id, r) -> {
            String name = names.physicalName(id, SamTemplate.TABLE);
            try {
                dynamo.createTable(tableRequest(name, SamTemplate.map(r.get("Properties"))));
                Map<String, Object> ttl = SamTemplate.map(SamTemplate.map(r.get("Properties")).get("TimeToLiveSpecification"));
                if (Boolean.parseBoolean(String.valueOf(ttl.get("Enabled")))) {
                    dynamo.updateTimeToLive(t -> t.tableName(name).timeToLiveSpecification(s -> s
                            .enabled(true).attributeName(String.valueOf(ttl.get("AttributeName")))));
                }
            } catch (ResourceInUseException alreadyThere) {
                // kept from an earlier start: the data folder is persistent; an index the template
                // gained since is added (as CloudFormation would on update).
                addMissingIndexes(dynamo, tableRequest(name, SamTemplate.map(r.get("Properties"))));
            }
            created.add(name);
        });
        return created;
    }

    /** @return the physical names of the buckets, created or already there */
    public List<String> createBuckets(S3Client s3) {
        List<String> created = new ArrayList<>();
        template.resourcesOfType(SamTemplate.BUCKET).forEach((id, r) -> {
            String name = names.physicalName(id, SamTemplate.BUCKET);
            try {
                s3.createBucket(b -> b.bucket(name));
            } catch (BucketAlreadyOwnedByYouException alreadyThere) {
                // kept from an earlier start
            } catch (S3Exception e) {
                if (e.statusCode() != 409) {
                    throw e;
                }
            }
            Map<String, Object> versioning = SamTemplate.map(SamTemplate.map(r.get("Properties")).get("VersioningConfiguration"));
            if ("Enabled".equals(versioning.get("Status"))) {
                try {
                    s3.putBucketVersioning(v -> v.bucket(name).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
                } catch (S3Exception notSupportedLocally) {
                    // S3Proxy's filesystem store keeps one version per key; immutability is kept by conditional writes
                }
            }
            created.add(name);
        });
        return created;
    }

    static CreateTableRequest tableRequest(String name, Map<String, Object> p) {
        CreateTableRequest.Builder b = CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(list(p.get("AttributeDefinitions")).stream()
                        .map(a -> AttributeDefinition.builder()
                                .attributeName(str(a, "AttributeName"))
                                .attributeType(str(a, "AttributeType")).build())
                        .toList())
                .keySchema(keySchema(p.get("KeySchema")));
        List<Map<String, Object>> gsis = list(p.get("GlobalSecondaryIndexes"));
        if (!gsis.isEmpty()) {
            b.globalSecondaryIndexes(gsis.stream().map(g -> {
                Map<String, Object> proj = SamTemplate.map(g.get("Projection"));
                Projection.Builder pb = Projection.builder().projectionType(String.valueOf(proj.getOrDefault("ProjectionType", "ALL")));
                Object nonKey = proj.get("NonKeyAttributes");
                if (nonKey instanceof List<?> l) {
                    pb.nonKeyAttributes(l.stream().map(String::valueOf).toList());
                }
                return GlobalSecondaryIndex.builder()
                        .indexName(str(g, "IndexName"))
                        .keySchema(keySchema(g.get("KeySchema")))
                        .projection(pb.build())
                        .build();
            }).toList());
        }
        return b.build();
    }

    private static void addMissingIndexes(DynamoDbClient dynamo, CreateTableRequest wanted) {
        var existing = dynamo.describeTable(d -> d.tableName(wanted.tableName())).table().globalSecondaryIndexes()
                .stream().map(GlobalSecondaryIndexDescription::indexName)
                .collect(Collectors.toSet());
        for (GlobalSecondaryIndex gsi : wanted.globalSecondaryIndexes()) {
            if (existing.contains(gsi.indexName())) {
                continue;
            }
            dynamo.updateTable(u -> u.tableName(wanted.tableName())
                    .attributeDefinitions(wanted.attributeDefinitions())
                    .globalSecondaryIndexUpdates(x -> x.create(c -> c.indexName(gsi.indexName())
                            .keySchema(gsi.keySchema()).projection(gsi.projection()))));
            // The backfill runs while the index is CREATING: wait (bounded), so the first cleanup sees every item.
            for (int i = 0; i < 600; i++) {
                boolean active = dynamo.describeTable(d -> d.tableName(wanted.tableName())).table().globalSecondaryIndexes().stream()
                        .anyMatch(g -> g.indexName().equals(gsi.indexName()) && g.indexStatus() == IndexStatus.ACTIVE);
                if (active) {
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static List<KeySchemaElement> keySchema(Object o) {
        return list(o).stream()
                .map(k -> KeySchemaElement.builder().attributeName(str(k, "AttributeName")).keyType(str(k, "KeyType")).build())
                .toList();
    }

    private static List<Map<String, Object>> list(Object o) {
        if (!(o instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().map(SamTemplate::map).toList();
    }

    private static String str(Map<String, Object> m, String key) {
        return String.valueOf(m.get(key));
    }
}
