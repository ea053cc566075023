package dev.slipway.local.engines;

import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An S3-compatible server (S3Proxy) in this JVM: files under a folder, or memory for tests.
 * SigV4 is checked, so a client with the wrong key fails here as it would in AWS, and a presigned
 * upload whose body is not the signed length is refused as S3 refuses it ({@link PresignedLengthGuard}).
 */
public final class S3LocalEngine implements AutoCloseable {
    private final S3Proxy proxy;

    private S3LocalEngine(S3Proxy proxy) {
        this.proxy = proxy;
    }

    /** @param dataDir folder for the objects, or null for in-memory; port 0 picks one */
    public static S3LocalEngine start(Path dataDir, int port, String accessKey, String secretKey) throws Exception {
        BlobStore store;
        if (dataDir == null) {
            store = new TransientNio2BlobStore();
        } else {
            Files.createDirectories(dataDir);
            store = new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString());
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                // As the bucket's CORS rule in template.yaml: the console (on the loopback API) PUTs large imports here.
                .corsRules(new CrossOriginResourceSharing(List.of("http://127\\.0\\.0\\.1:[0-9]+", "http://localhost:[0-9]+"),
                        List.of("PUT"), List.of("content-type"), List.of(), "false"))
                .build();
        PresignedLengthGuard.install(proxy);
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3 server did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(5);
        }
        return new S3LocalEngine(proxy);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
