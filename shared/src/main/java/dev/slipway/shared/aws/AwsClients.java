package dev.slipway.shared.aws;

import dev.slipway.shared.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The AWS clients of one container, built once and on first use (so a SnapStart snapshot holds no
 * connection). Region, credentials and endpoints come from the {@link Config}: in Lambda its
 * environment; locally the embedded engines' endpoints and a static key pair.
 */
public final class AwsClients implements AutoCloseable {
    private final Config config;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private SdkHttpClient http;
    private DynamoDbClient dynamoDb;
    private DynamoDbEnhancedClient enhanced;
    private SsmClient ssm;

    public AwsClients(Config config) {
        this.config = config;
        this.region = Region.of(config.get("AWS_REGION").orElse("us-east-1"));
        this.credentials = config.isLocal()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        config.require("AWS_ACCESS_KEY_ID"), config.require("AWS_SECRET_ACCESS_KEY")))
                : DefaultCredentialsProvider.builder().build();
    }

    public Config config() {
        return config;
    }

    public synchronized SdkHttpClient http() {
        if (http == null) {
            http = ApacheHttpClient.builder()
                    .maxConnections(64)
                    .connectionTimeout(Duration.ofSeconds(2))
                    .socketTimeout(Duration.ofSeconds(30))
                    .build();
        }
        return http;
    }

    public synchronized DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = configure(DynamoDbClient.builder(), "DYNAMODB").build();
        }
        return dynamoDb;
    }

    public synchronized DynamoDbEnhancedClient dynamoDbEnhanced() {
        if (enhanced == null) {
            enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoDb()).build();
        }
        return enhanced;
    }

    public synchronized SsmClient ssm() {
        if (ssm == null) {
            ssm = configure(SsmClient.builder(), "SSM").build();
        }
        return ssm;
    }

    public Region region() {
        return region;
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** Endpoint for a service, as the SDK's own convention names it: AWS_ENDPOINT_URL_{SERVICE}. */
    public Optional<URI> endpoint(String serviceId) {
        return config.get("AWS_ENDPOINT_URL_" + serviceId).or(() -> config.get("AWS_ENDPOINT_URL")).map(URI::create);
    }

    public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
            B builder, String serviceId) {
        builder.region(region).credentialsProvider(credentials).httpClient(http());
        endpoint(serviceId).ifPresent(builder::endpointOverride);
        return builder;
    }

    @Override
    public synchronized void close() {
        if (dynamoDb != null) {
            dynamoDb.close();
        }
        if (ssm != null) {
            ssm.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
