package dev.slipway.local.bench;

import dev.slipway.local.LocalRuntime;
import dev.slipway.local.servers.NodeServer;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerBundles;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.deploy.store.dynamodb.DeployItem;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static dev.slipway.local.bench.BenchApi.expect;

/**
 * Full-stack serving through the local runtime, all figures from one run:
 * <ul>
 *   <li>the first request to a release's server when none runs (cold: unpack the bundle, start node, answer)
 *       against a request to the running one (warm);</li>
 *   <li>what the local edge's proxy adds: the same request through the edge and straight to the server's port,
 *       interleaved, p50/p99 of each and of the difference (goal ≤ 2 ms at p50);</li>
 *   <li>rollback, from the API call to the edge answering with the old release, for a full-stack app (the old
 *       server's answer) against a static app (the old index.html).</li>
 * </ul>
 * The releases are written straight into the table and bucket (no build): each full-stack release is a real
 * bundle (a plain Node http server naming its release) staged as StageRelease stores one.
 * <p>
 * Run: {@code ./slipway bench fullstack [rounds]} (default 200; cold starts: rounds / 10, at least 3).
 */
public final class FullStackBenchmark {
    private static HttpClient http;

    public static void main(String[] args) {
        BenchApi.exitAfter(() -> measure(args));
    }

    static void measure(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host"); // the edge is asked by Host header
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        if (rounds < 2) {
            throw new IllegalArgumentException("rounds >= 2");
        }
        int colds = Math.max(3, rounds / 10);
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-fullstack-");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(work.resolve("data")).template(home.resolve("template.yaml")).build());
             S3Client s3 = S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                     .credentialsProvider(LocalRuntime.credentials()).endpointOverride(runtime.s3Endpoint())
                     .httpClient(ApacheHttpClient.builder().build()).build();
             DynamoDbClient ddb = DynamoDbClient.builder().region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                     .endpointOverride(runtime.dynamoDbEndpoint()).httpClient(ApacheHttpClient.builder().build()).build()) {
            LocalNames names = new LocalNames();
            String bucket = names.physicalName("ArtifactsBucket", SamTemplate.BUCKET);
            DynamoDbTable<DeployItem> table = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build()
                    .table(names.physicalName("ReleasesTable", SamTemplate.TABLE), TableSchema.fromBean(DeployItem.class));
            ReleaseFiles files = new ReleaseFiles(s3, bucket);

            String fs = "bench-fullstack";
            String st = "bench-static";
            String[] fsReleases = releases(runtime, table, files, s3, bucket, work, fs, true);
            String[] stReleases = releases(runtime, table, files, s3, bucket, work, st, false);
            System.out.printf("full-stack benchmark: %d rounds, %d cold starts (Node %s)%n", rounds, colds, nodeVersion());

            // cold vs warm: the production server of release B, removed (stopped, unpacked files gone) before each cold request
            NodeServer.Key key = new NodeServer.Key(fs, fsReleases[1], EnvScope.PRODUCTION);
            get(runtime, fs, "/api"); // JIT and connections
            List<Long> cold = new ArrayList<>(), warm = new ArrayList<>();
            for (int i = 0; i < colds; i++) {
                runtime.appServers().remove(fs, fsReleases[1]);
                cold.add(timed(() -> get(runtime, fs, "/api")));
                warm.add(timed(() -> get(runtime, fs, "/api")));
            }
            for (int i = 0; i < rounds; i++) {
                warm.add(timed(() -> get(runtime, fs, "/api")));
            }
            Collections.sort(cold);
            Collections.sort(warm);
            System.out.printf("first request, cold server:  p50 %8.1f ms  max %8.1f ms%n", pct(cold, 50), pct(cold, 100));
            System.out.printf("request, warm server:        p50 %8.1f ms  p99 %8.1f ms   cold/warm p50 %.0fx%n",
                    pct(warm, 50), pct(warm, 99), pct(cold, 50) / pct(warm, 50));

            // the edge's proxy against the server's own port, interleaved
            int port = runtime.appServers().running(key).orElseThrow().port();
            List<Long> viaEdge = new ArrayList<>(), direct = new ArrayList<>(), added = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                direct(port, "/api");
                get(runtime, fs, "/api");
            }
            for (int i = 0; i < rounds; i++) {
                long d = timed(() -> direct(port, "/api"));
                long e = timed(() -> get(runtime, fs, "/api"));
                direct.add(d);
                viaEdge.add(e);
                added.add(e - d);
            }
            Collections.sort(viaEdge);
            Collections.sort(direct);
            Collections.sort(added);
            System.out.printf("direct to the server:        p50 %8.2f ms  p99 %8.2f ms%n", pct(direct, 50), pct(direct, 99));
            System.out.printf("through the local edge:      p50 %8.2f ms  p99 %8.2f ms   edge/direct p50 %.2fx%n",
                    pct(viaEdge, 50), pct(viaEdge, 99), pct(viaEdge, 50) / pct(direct, 50));
            System.out.printf("added by the edge's proxy:   p50 %8.2f ms  p99 %8.2f ms   (goal: p50 <= 2 ms)%n", pct(added, 50), pct(added, 99));

            // rollback: full-stack against static, alternating, each toggling production between its last two releases
            List<Long> fsRollback = new ArrayList<>(), stRollback = new ArrayList<>();
            for (int i = 0; i < 10; i++) { // warm-up: both servers of the full-stack app run, JIT
                rollback(runtime, fs, fsReleases[i % 2 == 0 ? 0 : 1]);
                rollback(runtime, st, stReleases[i % 2 == 0 ? 0 : 1]);
            }
            for (int i = 0; i < rounds; i++) {
                String fsTarget = fsReleases[i % 2 == 0 ? 0 : 1];
                String stTarget = stReleases[i % 2 == 0 ? 0 : 1];
                fsRollback.add(timed(() -> rollback(runtime, fs, fsTarget)));
                stRollback.add(timed(() -> rollback(runtime, st, stTarget)));
            }
            Collections.sort(fsRollback);
            Collections.sort(stRollback);
            System.out.printf("rollback, static app:        p50 %8.1f ms  p99 %8.1f ms%n", pct(stRollback, 50), pct(stRollback, 99));
            System.out.printf("rollback, full-stack app:    p50 %8.1f ms  p99 %8.1f ms   full-stack/static p99 %.2fx (goal: p99 <= 100 ms)%n",
                    pct(fsRollback, 50), pct(fsRollback, 99), pct(fsRollback, 99) / pct(stRollback, 99));
        } finally {
            DeployBenchmark.deleteTree(work);
        }
    }

    /** Two READY releases (A, B) of a new app, production on B after A; a full-stack one carries a server bundle. */
    private static String[] releases(LocalRuntime runtime, DynamoDbTable<DeployItem> table, ReleaseFiles files, S3Client s3, String bucket,
                                     Path work, String app, boolean server) throws Exception {
        expect(api(runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Full-stack bench\"}"), 201);
        Instant t = Instant.now().minus(Duration.ofDays(1));
        String[] ids = {Ulid.next(t).toLowerCase(Locale.ROOT), Ulid.next(t.plusSeconds(1)).toLowerCase(Locale.ROOT)};
        for (String id : ids) {
            Path site = Files.createDirectories(work.resolve("site-" + id));
            Files.writeString(site.resolve(server ? "robots.txt" : "index.html"), "<p>release " + id + "</p>\n");
            var m = files.stageFolder(app, id, site);
            Release r = new Release(app, id, null, null, null, "upload", ReleaseStatus.READY, m.files().size(), m.totalBytes(), t, t, null,
                    null, "bench");
            if (server) {
                Path bundle = Files.createDirectories(work.resolve("bundle-" + id));
                Files.writeString(bundle.resolve("server.js"), """
                        const http = require('http');
                        http.createServer((req, res) => {
                          const body = JSON.stringify({ release: '%s', path: req.url });
                          res.writeHead(200, { 'content-type': req.url === '/' ? 'text/html' : 'application/json' });
                          res.end(req.url === '/' ? '<p>release %s</p>' : body);
                        }).listen(Number(process.env.PORT), process.env.HOST);
                        """.formatted(id, id));
                Path zip = work.resolve("bundle-" + id + ".zip");
                ServerOutput.zip(bundle, zip, ServerBundle.MAX_UNZIPPED_BYTES);
                ServerOutput.Measured measured = ServerOutput.measure(zip, "server.js", ServerBundle.MAX_UNZIPPED_BYTES);
                ServerBundle b = new ServerBundle(ServerBundle.NODE, nodeMajor(), "server.js", measured.sha256(), measured.zipBytes(),
                        measured.unzippedBytes());
                s3.putObject(x -> x.bucket(bucket).key(ServerBundle.key(app, id)).metadata(ServerBundles.metadata(b)), RequestBody.fromFile(zip));
                r = r.withServer(b);
            }
            DeployItem item = new DeployItem();
            item.setAppId(app);
            item.setKey("release#" + id);
            item.setStatus(ReleaseStatus.READY.name());
            item.setReleaseId(id);
            item.setDoc(Json.write(r));
            table.putItem(item);
        }
        expect(api(runtime, "POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + ids[0] + "\"}"), 200);
        expect(api(runtime, "POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + ids[1] + "\"}"), 200);
        return ids;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static long timed(Step s) throws Exception {
        long start = System.nanoTime();
        s.run();
        return System.nanoTime() - start;
    }

    /** One default rollback, until the edge answers {@code /} with the release production returned to. */
    private static void rollback(LocalRuntime runtime, String app, String expected) throws Exception {
        expect(api(runtime, "POST", "/apps/" + app + "/rollback", "{\"reason\":\"bench\"}"), 200);
        for (int polls = 0; ; polls++) {
            HttpResponse<String> page = edge(runtime, app, "/");
            if (page.statusCode() == 200 && page.body().contains("release " + expected)) {
                return;
            }
            if (polls > 5000) {
                throw new IllegalStateException("the edge never served " + expected + ": " + page.statusCode() + " " + page.body());
            }
        }
    }

    private static void get(LocalRuntime runtime, String app, String path) throws Exception {
        HttpResponse<String> r = edge(runtime, app, path);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static HttpResponse<String> edge(LocalRuntime runtime, String app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.edge().port() + path))
                .header("host", app + ".localhost:" + runtime.edge().port()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void direct(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the server answered " + r.statusCode());
        }
    }

    private static String nodeVersion() throws Exception {
        Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return v;
    }

    private static int nodeMajor() throws Exception {
        return Integer.parseInt(nodeVersion().replaceFirst("^v", "").split("\\.")[0]);
    }

    private static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static HttpResponse<String> api(LocalRuntime runtime, String method, String path, String json) throws Exception {
        return BenchApi.call(http, runtime, method, path, json, null);
    }
}
