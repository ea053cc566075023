package dev.slipway.shared.aws;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * S3 clients for the functions that need S3 (the dependency is optional in shared, so this lives
 * apart from {@link AwsClients}). With an endpoint override (the local S3 server) requests use
 * path-style addressing, which needs no wildcard DNS.
 */
public final class S3Clients {
    private S3Clients() {
    }

    public static S3Client client(AwsClients aws) {
        var b = aws.configure(S3Client.builder(), "S3");
        if (aws.endpoint("S3").isPresent()) {
            b.forcePathStyle(true);
        }
        return b.build();
    }

    public static S3Presigner presigner(AwsClients aws) {
        var b = S3Presigner.builder().region(aws.region()).credentialsProvider(aws.credentials());
        aws.endpoint("S3").ifPresent(e -> b.endpointOverride(e)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return b.build();
    }
}
