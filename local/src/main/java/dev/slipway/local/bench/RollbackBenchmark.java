package dev.slipway.local.bench;

import dev.slipway.local.LocalRuntime;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.deploy.store.dynamodb.DeployItem;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchWriteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static dev.slipway.local.bench.BenchApi.expect;

/**
 * Rollback latency through the local runtime: from the {@code POST /apps/{app}/rollback} call to
 * the edge serving the old release's bytes (the edge is polled right after the 200), p50/p99 over
 * {@code rollbacks} rollbacks (each a default rollback: production toggles between its last two
 * releases), for apps with 10, 1,000 and 10,000 releases of 10 and 20,000 files each.
 * <p>
 * The release records are written straight into the releases table (batch writes, no deploys);
 * the two releases production moves between are real: every file staged under {@code sites/} and
 * a manifest (the 20,000 files share their content, except {@code index.html}). Goal: p99 ≤ 100 ms
 * and flat across sizes.
 * <p>
 * Run: {@code ./slipway bench rollback [rollbacks] [releases,…] [files,…]} (defaults 200, 10,1000,10000 and
 * 10,20000: every release count with every file count).
 */
public final class RollbackBenchmark {
    private static HttpClient http;

    public static void main(String[] args) {
        BenchApi.exitAfter(() -> measure(args));
    }

    static void measure(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host"); // the edge is asked by Host header
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int rollbacks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int[] releaseCounts = args.length > 1 ? counts(args[1]) : new int[]{10, 1_000, 10_000};
        int[] fileCounts = args.length > 2 ? counts(args[2]) : new int[]{10, 20_000};
        if (rollbacks < 1 || Arrays.stream(releaseCounts).anyMatch(n -> n < 2) || Arrays.stream(fileCounts).anyMatch(n -> n < 1)) {
            // production moves between the newest two releases
            throw new IllegalArgumentException("rollbacks >= 1, releases >= 2, files >= 1");
        }
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-rollback-");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(work.resolve("data")).template(home.resolve("template.yaml")).build());
             S3Client s3 = S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                     .credentialsProvider(LocalRuntime.credentials()).endpointOverride(runtime.s3Endpoint())
                     .httpClient(ApacheHttpClient.builder().maxConnections(64).build()).build();
             DynamoDbClient ddb = DynamoDbClient.builder().region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                     .endpointOverride(runtime.dynamoDbEndpoint()).httpClient(ApacheHttpClient.builder().build()).build()) {
            LocalNames names = new LocalNames();
            DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
            DynamoDbTable<DeployItem> table = enhanced.table(names.physicalName("ReleasesTable", SamTemplate.TABLE), TableSchema.fromBean(DeployItem.class));
            ReleaseFiles files = new ReleaseFiles(s3, names.physicalName("ArtifactsBucket", SamTemplate.BUCKET));
            System.out.printf("rollback benchmark: %d rollbacks per case, API call → the edge serving the old release%n", rollbacks);
            System.out.printf("%-10s %-8s %10s %10s %10s %10s %14s%n", "releases", "files", "p50 ms", "p99 ms", "max ms", "api p50", "setup s");
            for (int fileCount : fileCounts) {
                for (int releaseCount : releaseCounts) {
                    long setup = System.nanoTime();
                    String app = "bench-" + releaseCount + "-" + fileCount;
                    expect(api(runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Rollback bench\"}"), 201);
                    List<String> ids = new ArrayList<>();
                    Instant t = Instant.now().minus(Duration.ofDays(30));
                    for (int i = 0; i < releaseCount; i++) {
                        ids.add(Ulid.next(t.plusMillis(i * 1000L)).toLowerCase(Locale.ROOT));
                    }
                    // The two releases production moves between are the newest two, staged for real.
                    String a = ids.get(releaseCount - 2), b = ids.get(releaseCount - 1);
                    Manifest ma = stage(files, work, app, a, "Release A of " + app, fileCount);
                    Manifest mb = stage(files, work, app, b, "Release B of " + app, fileCount);
                    List<DeployItem> items = new ArrayList<>();
                    for (String id : ids) {
                        Manifest m = id.equals(a) ? ma : id.equals(b) ? mb : null;
                        long bytes = m == null ? fileCount * 100L : m.totalBytes();
                        Release r = new Release(app, id, null, null, null, "upload", ReleaseStatus.READY, fileCount, bytes,
                                t, t, null, null, "bench");
                        DeployItem item = new DeployItem();
                        item.setAppId(app);
                        item.setKey("release#" + id);
                        item.setStatus(ReleaseStatus.READY.name());
                        item.setReleaseId(id);
                        item.setDoc(Json.write(r));
                        items.add(item);
                    }
                    for (int from = 0; from < items.size(); from += 25) {
                        var batch = WriteBatch.builder(DeployItem.class).mappedTableResource(table);
                        items.subList(from, Math.min(items.size(), from + 25)).forEach(batch::addPutItem);
                        var result = enhanced.batchWriteItem(BatchWriteItemEnhancedRequest.builder().writeBatches(batch.build()).build());
                        result.unprocessedPutItemsForTable(table).forEach(table::putItem);
                    }
                    // production: A, then B (so the default rollback returns to A, and then to B, …)
                    expect(api(runtime, "POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + a + "\"}"), 200);
                    expect(api(runtime, "POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + b + "\"}"), 200);
                    double setupS = (System.nanoTime() - setup) / 1e9;
                    // warm-up (JIT, connections), not counted
                    for (int i = 0; i < 10; i++) {
                        rollback(runtime, app, i % 2 == 0 ? "Release A of " : "Release B of ");
                    }
                    List<Long> total = new ArrayList<>(), apiOnly = new ArrayList<>();
                    for (int i = 0; i < rollbacks; i++) {
                        long[] r = rollback(runtime, app, i % 2 == 0 ? "Release A of " : "Release B of ");
                        total.add(r[0]);
                        apiOnly.add(r[1]);
                    }
                    Collections.sort(total);
                    Collections.sort(apiOnly);
                    System.out.printf("%-10d %-8d %10.1f %10.1f %10.1f %10.1f %14.1f%n", releaseCount, fileCount,
                            pct(total, 50), pct(total, 99), total.get(total.size() - 1) / 1e6, pct(apiOnly, 50), setupS);
                }
            }
        } finally {
            DeployBenchmark.deleteTree(work); // the engines' data and the staged sites: gigabytes at the default sizes
        }
    }

    /** One default rollback; returns {nanos until the edge serves the expected release, nanos of the API call}. */
    private static long[] rollback(LocalRuntime runtime, String app, String expectedPrefix) throws Exception {
        String expected = expectedPrefix + app;
        long start = System.nanoTime();
        HttpResponse<String> r = api(runtime, "POST", "/apps/" + app + "/rollback", "{\"reason\":\"bench\"}");
        long apiDone = System.nanoTime();
        expect(r, 200);
        for (int polls = 0; ; polls++) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.edge().port() + "/"))
                    .header("host", app + ".localhost:" + runtime.edge().port()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (page.statusCode() == 200 && page.body().contains(expected)) {
                return new long[]{System.nanoTime() - start, apiDone - start};
            }
            if (polls > 5000) {
                throw new IllegalStateException("the edge never served " + expected + ": " + page.statusCode() + " " + page.body());
            }
        }
    }

    private static Manifest stage(ReleaseFiles files, Path work, String app, String releaseId, String headline, int count) throws Exception {
        Path dir = Files.createTempDirectory(work, "site-");
        Files.writeString(dir.resolve("index.html"), "<!doctype html><h1>" + headline + "</h1>\n");
        byte[] shared = "export const shared = 'the same bytes in every file';\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < count; i++) {
            Path p = dir.resolve("assets/d" + (i / 1000)).resolve("f" + i + ".js");
            Files.createDirectories(p.getParent());
            Files.write(p, shared);
        }
        return files.stageFolder(app, releaseId, dir);
    }

    /** "10,1000,10000" → {10, 1000, 10000}. */
    private static int[] counts(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static HttpResponse<String> api(LocalRuntime runtime, String method, String path, String json) throws Exception {
        return BenchApi.call(http, runtime, method, path, json, null);
    }
}
