package dev.slipway.local.bench;

import dev.slipway.functions.deploy.CleanupView;
import dev.slipway.local.LocalRuntime;
import dev.slipway.local.template.LocalNames;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.ContentPolicy;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.alias.PreviewAlias;
import dev.slipway.shared.deploy.cleanup.CleanupService;
import dev.slipway.shared.deploy.cleanup.ReleaseSweeper;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.preview.ExpiredPreviews;
import dev.slipway.shared.deploy.preview.PreviewExpiry;
import dev.slipway.shared.deploy.routing.HttpEdgeRouter;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.store.AliasMove;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.dynamodb.DeployItem;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static dev.slipway.local.bench.BenchApi.expect;

/**
 * The scheduled cleanup at scale (issue 6): {@code previews} previews over {@value #APPS} apps, each
 * with its own READY release (3 small files and a manifest in S3), preview record, alias (ref item)
 * and edge route, written straight into the real stores of a {@link LocalRuntime}; each app also
 * has a production alias over 3 releases (the 2 it left are retained candidates).
 * <p>
 * Then, for each count in {@code expired…} (after a small warm-up group), that many more previews
 * get an expiry in the past (as a PATCH would: a new version with its audit event) and one
 * {@link CleanupService#run} is timed; afterwards every expired preview is checked gone (record,
 * alias, edge 404, release DELETED, files gone), a sample of the others untouched and served, and
 * every audit chain verified. Last, {@code POST /cleanup} is called on one more group of the
 * largest size until it reports {@code complete:true}.
 * <p>
 * Run: {@code ./slipway bench cleanup [previews] [expired…]} (default 10000 100 1000).
 */
public final class CleanupBenchmark {
    static final int APPS = 10;
    static final int WARM_UP = 20;
    static final int SAMPLE = 300;
    private static final Actor BENCH = new Actor("bench", null, null);
    private static final byte[] JS = "document.querySelector('h1').dataset.ready='yes';\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CSS = "h1{font-family:system-ui}\n".getBytes(StandardCharsets.UTF_8);
    private static HttpClient http;

    /** One seeded preview: app, name, its release, and its record as last written. */
    static final class Seeded {
        final String app, name, releaseId;
        volatile Preview record;

        Seeded(String app, String name, String releaseId) {
            this.app = app;
            this.name = name;
            this.releaseId = releaseId;
        }

        String label() {
            return name + "--" + app;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(8)).build();
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<Integer> groups = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            groups.add(Integer.parseInt(args[i]));
        }
        if (groups.isEmpty()) {
            groups.addAll(List.of(100, 1_000));
        }
        int largest = groups.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (WARM_UP + groups.stream().mapToInt(Integer::intValue).sum() + largest > total) {
            throw new IllegalArgumentException("the expired groups (+" + WARM_UP + " warm-up, + " + largest + " for POST /cleanup) exceed " + total);
        }
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-cleanup-");
        Path data = work.resolve("data");
        Files.createDirectories(data);

        // The plan: names and release ids first, so the edge's routes can be written before it starts.
        Instant t0 = Instant.now().minus(Duration.ofDays(2));
        List<String> apps = new ArrayList<>();
        for (int a = 0; a < APPS; a++) {
            apps.add("cleanup-" + a);
        }
        List<Seeded> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            all.add(new Seeded(apps.get(i % APPS), String.format("pv-%05d", i), Ulid.next(t0.plusMillis(i)).toLowerCase(Locale.ROOT)));
        }
        // Routes as the edge persists them: the edge loads them at start (10,000 admin PUTs would each rewrite the file).
        var routes = Json.object();
        all.forEach(s -> routes.put(s.label(), RouteEntry.of(s.releaseId).encode()));
        Files.writeString(data.resolve("edge-routes.json"), Json.write(Json.object().set("routes", routes)) + "\n");

        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(data).template(home.resolve("template.yaml"))
                .scheduleInterval(Duration.ZERO /* no timer: only the runs measured here */).build());
             S3Client s3 = S3Client.builder().region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                     .credentialsProvider(LocalRuntime.credentials()).endpointOverride(runtime.s3Endpoint())
                     .httpClient(ApacheHttpClient.builder().maxConnections(64).build()).build();
             DynamoDbClient ddb = DynamoDbClient.builder().region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                     .endpointOverride(runtime.dynamoDbEndpoint()).httpClient(ApacheHttpClient.builder().maxConnections(64).build()).build()) {
            LocalNames names = new LocalNames();
            DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
            String releasesTable = names.physicalName("ReleasesTable", SamTemplate.TABLE);
            DynamoDbTable<DeployItem> table = enhanced.table(releasesTable, TableSchema.fromBean(DeployItem.class));
            AuditLedger ledger = new AuditLedger(enhanced, names.physicalName("AuditTable", SamTemplate.TABLE));
            DeployStores store = DynamoDbDeployStores.of(enhanced, releasesTable, ledger);
            ReleaseFiles files = new ReleaseFiles(s3, names.physicalName("ArtifactsBucket", SamTemplate.BUCKET));
            AppService appService = new AppService(new DynamoDbAppStore(enhanced, names.physicalName("AppsTable", SamTemplate.TABLE), ledger),
                    Clock.systemUTC());
            HttpEdgeRouter router = new HttpEdgeRouter(URI.create(runtime.edge().adminUrl()),
                    Files.readString(data.resolve("edge-router-token")).trim());
            System.out.printf("cleanup benchmark: %,d previews over %d apps, expired groups %s (+%d warm-up), then POST /cleanup with %,d%n",
                    total, APPS, groups, WARM_UP, largest);

            // ---- seed
            long seedStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            // Apps, and production over 3 releases (through the API: real promotes, alias history, retention).
            Map<String, List<String>> production = new LinkedHashMap<>();
            for (String app : apps) {
                expect(api(runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"Cleanup bench\"}"), 201);
                List<String> ids = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    ids.add(Ulid.next(t0.minus(Duration.ofDays(1)).plusSeconds(k)).toLowerCase(Locale.ROOT));
                }
                production.put(app, ids);
            }
            List<DeployItem> items = new ArrayList<>();
            List<Future<?>> staged = new ArrayList<>();
            for (var e : production.entrySet()) {
                for (String id : e.getValue()) {
                    String headline = "Production " + id + " of " + e.getKey();
                    items.addAll(releaseItems(e.getKey(), id, t0, headline));
                }
            }
            for (Seeded s : all) {
                String headline = "Preview " + s.name + " of " + s.app;
                items.addAll(releaseItems(s.app, s.releaseId, t0, headline));
            }
            long recordsStart = System.nanoTime();
            batchWrite(enhanced, table, items, pool);
            double recordsS = (System.nanoTime() - recordsStart) / 1e9;
            // Files in the background (16 threads) while the audited writes go on below.
            for (var e : production.entrySet()) {
                for (String id : e.getValue()) {
                    stage(files, e.getKey(), id, "Production " + id + " of " + e.getKey()); // promote reads the manifest
                }
            }
            for (Seeded s : all) {
                staged.add(pool.submit(() -> stage(files, s.app, s.releaseId, "Preview " + s.name + " of " + s.app)));
            }
            for (String app : apps) {
                for (String id : production.get(app)) {
                    expect(api(runtime, "POST", "/apps/" + app + "/promote", "{\"releaseId\":\"" + id + "\"}"), 200);
                }
            }
            // Preview records and aliases: sequential per app (one audit chain each), apps in parallel.
            long chainsStart = System.nanoTime();
            List<Future<?>> chains = new ArrayList<>();
            ExecutorService perApp = Executors.newFixedThreadPool(APPS);
            Instant liveUntil = Instant.now().plus(Duration.ofHours(72));
            for (String app : apps) {
                List<Seeded> mine = all.stream().filter(s -> s.app.equals(app)).toList();
                chains.add(perApp.submit(() -> {
                    for (Seeded s : mine) {
                        seedPreview(store, s, liveUntil);
                    }
                    return null;
                }));
            }
            for (Future<?> f : chains) {
                f.get();
            }
            double chainsS = (System.nanoTime() - chainsStart) / 1e9;
            perApp.shutdown();
            for (Future<?> f : staged) {
                f.get();
            }
            double seedS = (System.nanoTime() - seedStart) / 1e9;
            System.out.printf("seeded in %.1f s: %,d releases (%,d S3 objects) and records in %.1f s of batch writes; %,d preview records + alias moves "
                            + "(2 audited transactions each, files staged meanwhile) in %.1f s; %d edge routes loaded at start%n",
                    seedS, total + 3 * APPS, 4 * (total + 3 * APPS), recordsS, total, chainsS, runtime.edge().routes().size());

            // ---- the runs
            PreviewTimer expiry = new PreviewTimer(new ExpiredPreviews(store, new PreviewAlias(store, router, Clock.systemUTC()), Clock.systemUTC()));
            CleanupService cleanup = new CleanupService(expiry, new ReleaseSweeper(appService, store, files, Clock.systemUTC()));
            Map<String, Integer> removedSoFar = new TreeMap<>();
            int next = 0;
            // A run with nothing expired: what 10,000 live previews cost when nothing is due (the retained candidates are rescheduled).
            Measured idle = run(cleanup, expiry, "none expired", 0, total);
            List<Integer> runs = new ArrayList<>();
            runs.add(WARM_UP);
            runs.addAll(groups);
            List<Measured> measured = new ArrayList<>();
            int live = total;
            for (int gi = 0; gi < runs.size(); gi++) {
                int n = runs.get(gi);
                List<Seeded> group = all.subList(next, next + n);
                next += n;
                double expireS = expire(store, group, pool);
                Measured m = run(cleanup, expiry, gi == 0 ? "warm-up" : n + " expired", n, live);
                live -= n;
                System.out.printf("    (setting %d expiries in the past took %.1f s, not counted)%n", n, expireS);
                check(runtime, store, files, ledger, group, all.subList(next, all.size()), production, m);
                if (gi > 0) {
                    measured.add(m);
                }
            }

            // ---- proportionality
            System.out.println();
            System.out.printf("%-14s %10s %12s %14s %12s %12s %12s%n", "expired", "live before", "cleanup s", "ms/preview", "phase 1 s", "phase 2 s", "releases");
            System.out.printf("%-14s %10d %12.2f %14s %12.2f %12.2f %12d%n", "none", idle.live, idle.seconds, "-", idle.phase1, idle.seconds - idle.phase1,
                    idle.result.releasesRemoved());
            for (Measured m : measured) {
                System.out.printf("%-14d %10d %12.2f %14.1f %12.2f %12.2f %12d%n", m.expired, m.live, m.seconds, m.seconds * 1000 / m.expired,
                        m.phase1, m.seconds - m.phase1, m.result.releasesRemoved());
            }
            if (measured.size() >= 2) {
                Measured small = measured.get(0), big = measured.get(measured.size() - 1);
                System.out.printf("time(%d)/time(%d) = %.2f (expired ratio %.1f); per expired preview %.1f ms vs %.1f ms%n",
                        big.expired, small.expired, big.seconds / small.seconds, (double) big.expired / small.expired,
                        big.seconds * 1000 / big.expired, small.seconds * 1000 / small.expired);
            }
            Measured headline = measured.stream().filter(m -> m.expired == largest).findFirst().orElse(null);
            if (headline != null) {
                System.out.printf("%,d of %,d previews expired: cleanup %.1f s (goal ≤ 60 s: %s)%n", headline.expired, headline.live,
                        headline.seconds, headline.seconds <= 60 ? "met" : "MISSED");
            }

            // ---- POST /cleanup at this size
            System.out.println();
            List<Seeded> group = all.subList(next, next + largest);
            next += largest;
            expire(store, group, pool);
            System.out.printf("POST /cleanup with %,d expired (%,d live):%n", largest, live);
            long apiStart = System.nanoTime();
            for (int call = 1; ; call++) {
                long t = System.nanoTime();
                HttpResponse<String> r = api(runtime, "POST", "/cleanup", null);
                expect(r, 200);
                System.out.printf("  call %d: %.1f s %s%n", call, (System.nanoTime() - t) / 1e9, r.body().trim());
                if (Json.parse(r.body()).path("complete").asBoolean() || call >= 20) {
                    break;
                }
            }
            System.out.printf("  all calls: %.1f s%n", (System.nanoTime() - apiStart) / 1e9);
            check(runtime, store, files, ledger, group, all.subList(next, all.size()), production, null);
            pool.shutdownNow();
        } catch (Throwable e) {
            e.printStackTrace();
            DeployBenchmark.deleteTree(work);
            System.exit(1);
        }
        DeployBenchmark.deleteTree(work); // the engines' data, the seeded previews' files
        System.out.println(FAILURES.isEmpty() ? "all checks passed" : FAILURES.size() + " CHECKS FAILED");
        System.exit(FAILURES.isEmpty() ? 0 : 1);
    }

    // ---- seeding

    private static List<DeployItem> releaseItems(String app, String id, Instant at, String headline) {
        String buildKey = ReleaseFiles.hex("SHA-256", (app + "/" + id).getBytes(StandardCharsets.UTF_8));
        Release r = new Release(app, id, buildKey.substring(0, 40), buildKey.substring(24), buildKey, "build", ReleaseStatus.READY,
                3, headlineHtml(headline).length + JS.length + CSS.length, at, at, null, "bench", "bench");
        DeployItem release = new DeployItem();
        release.setAppId(app);
        release.setKey("release#" + id);
        release.setStatus(ReleaseStatus.READY.name());
        release.setReleaseId(id);
        release.setDoc(Json.write(r));
        DeployItem build = new DeployItem(); // the build-key pointer a READY build leaves (the sweeper removes it)
        build.setAppId(app);
        build.setKey("build#" + buildKey);
        build.setReleaseId(id);
        return List.of(release, build);
    }

    private static byte[] headlineHtml(String headline) {
        return ("<!doctype html><html><head><link rel=\"stylesheet\" href=\"/assets/index-4f2a.css\"></head><body><h1>" + headline
                + "</h1><script src=\"/assets/index-9c1e.js\"></script></body></html>\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Three files and the manifest, as staging writes them (content type, cache policy, MD5, sha256 metadata). */
    private static Void stage(ReleaseFiles files, String app, String id, String headline) {
        Map<String, byte[]> site = new LinkedHashMap<>();
        site.put("assets/index-4f2a.css", CSS);
        site.put("assets/index-9c1e.js", JS);
        site.put("index.html", headlineHtml(headline));
        List<Manifest.File> entries = new ArrayList<>();
        site.forEach((path, bytes) -> {
            String md5 = ReleaseFiles.hex("MD5", bytes), sha = ReleaseFiles.hex("SHA-256", bytes);
            Manifest.File f = new Manifest.File(path, bytes.length, sha, md5, ContentPolicy.contentType(path), ContentPolicy.cacheControl(path));
            files.s3().putObject(r -> r.bucket(files.bucket()).key(SiteKeys.releasePrefix(app, id) + path).contentType(f.contentType())
                    .cacheControl(f.cacheControl()).contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5)))
                    .metadata(Map.of("sha256", sha)), RequestBody.fromBytes(bytes));
            entries.add(f);
        });
        files.writeManifest(new Manifest(app, id, entries));
        return null;
    }

    private static void batchWrite(DynamoDbEnhancedClient enhanced, DynamoDbTable<DeployItem> table, List<DeployItem> items,
                                   ExecutorService pool) throws Exception {
        List<Future<?>> writes = new ArrayList<>();
        for (int from = 0; from < items.size(); from += 25) {
            List<DeployItem> chunk = items.subList(from, Math.min(items.size(), from + 25));
            writes.add(pool.submit(() -> {
                var batch = WriteBatch.builder(DeployItem.class).mappedTableResource(table);
                chunk.forEach(batch::addPutItem);
                var result = enhanced.batchWriteItem(BatchWriteItemEnhancedRequest.builder().writeBatches(batch.build()).build());
                result.unprocessedPutItemsForTable(table).forEach(table::putItem);
            }));
        }
        for (Future<?> f : writes) {
            f.get();
        }
    }

    /** The preview record (preview.created) and its alias moved onto its release (alias.moved, ref item), as a deployment leaves them. */
    private static void seedPreview(DeployStores store, Seeded s, Instant expiresAt) {
        Instant now = Instant.now();
        String deploymentId = Ulid.next(now).toLowerCase(Locale.ROOT);
        Preview p = new Preview(s.app, s.name, now, "bench", expiresAt, false, null, null, "feature/" + s.name, deploymentId, now, 1);
        AuditEvent created = AuditEvent.next(store.audit().head(s.app), s.app, now, BENCH, "preview.created", "preview/" + s.name, null,
                Json.MAPPER.valueToTree(p));
        store.previews().put(p, 0, created);
        s.record = p;
        Alias a = new Alias(s.app, Preview.aliasName(s.name), s.releaseId, 1, now, deploymentId, false, null);
        AuditEvent moved = AuditEvent.next(created.asHead(), s.app, now, BENCH, "alias.moved", "alias/" + a.name(), null, Json.MAPPER.valueToTree(a));
        store.aliases().move(AliasMove.of(a, 0, List.of(moved)));
    }

    /** Moves each preview's expiry a minute into the past, as PATCH does (a new version with its audit event); apps in parallel. */
    private static double expire(DeployStores store, List<Seeded> group, ExecutorService pool) throws Exception {
        long start = System.nanoTime();
        Map<String, List<Seeded>> byApp = new TreeMap<>();
        group.forEach(s -> byApp.computeIfAbsent(s.app, k -> new ArrayList<>()).add(s));
        Instant past = Instant.now().minus(Duration.ofMinutes(1));
        List<Future<?>> done = new ArrayList<>();
        for (List<Seeded> mine : byApp.values()) {
            done.add(pool.submit(() -> {
                for (Seeded s : mine) {
                    Preview p = s.record;
                    Instant now = Instant.now();
                    Preview next = new Preview(p.appId(), p.name(), p.createdAt(), p.createdBy(), past, p.isProtected(), p.tokenSha256(),
                            p.tokenIssuedAt(), p.ref(), p.lastDeploymentId(), now, p.version() + 1);
                    AuditEvent e = AuditEvent.next(store.audit().head(s.app), s.app, now, BENCH, "preview.updated", "preview/" + s.name,
                            Json.MAPPER.valueToTree(p), Json.MAPPER.valueToTree(next));
                    store.previews().put(next, p.version(), e);
                    s.record = next;
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    // ---- measuring

    /** Phase 1 timed apart: CleanupService takes any {@link PreviewExpiry}. */
    static final class PreviewTimer implements PreviewExpiry {
        final PreviewExpiry inner;
        final AtomicLong nanos = new AtomicLong();

        PreviewTimer(PreviewExpiry inner) {
            this.inner = inner;
        }

        @Override
        public int expireDue(Instant now, int max) {
            long t = System.nanoTime();
            try {
                return inner.expireDue(now, max);
            } finally {
                nanos.addAndGet(System.nanoTime() - t);
            }
        }
    }

    record Measured(int expired, int live, double seconds, double phase1, CleanupService.Result result) {
    }

    private static Measured run(CleanupService cleanup, PreviewTimer expiry, String what, int expired, int live) {
        expiry.nanos.set(0);
        Sampler sampler = Sampler.start(Thread.currentThread());
        long t = System.nanoTime();
        CleanupService.Result r = cleanup.run(Instant.now(), Duration.ofMinutes(30), new Actor(CleanupService.ACTOR, null, null));
        double s = (System.nanoTime() - t) / 1e9;
        sampler.finish();
        double p1 = expiry.nanos.get() / 1e9;
        System.out.printf("%n%s (%,d live previews): cleanup %.2f s (phase 1 expiry %.2f s, phase 2 sweep %.2f s) → %s%n", what, live, s, p1, s - p1,
                Json.write(CleanupView.of(r)));
        if (!r.complete() || r.errors() > 0 || r.previewsExpired() != expired || r.releasesRemoved() != expired) {
            fail("expected " + expired + " previews expired and releases removed, complete, no errors: " + r);
        }
        sampler.print();
        return new Measured(expired, live, s, p1, r);
    }

    /** A poor man's profiler: where the cleanup thread is, every 2 ms, by its innermost Slipway frame. */
    static final class Sampler extends Thread {
        final Thread target;
        final Map<String, Integer> hits = new ConcurrentHashMap<>();
        volatile boolean running = true;
        int samples;

        private Sampler(Thread target) {
            this.target = target;
            setDaemon(true);
        }

        static Sampler start(Thread target) {
            Sampler s = new Sampler(target);
            s.start();
            return s;
        }

        @Override
        public void run() {
            while (running) {
                StackTraceElement[] stack = target.getStackTrace();
                String io = null, where = null;
                for (StackTraceElement e : stack) {
                    String c = e.getClassName();
                    if (io == null && (c.startsWith("software.amazon.awssdk.services.s3") || c.startsWith("software.amazon.awssdk.services.dynamodb")
                            || c.startsWith("java.net.http") || c.startsWith("jdk.internal.net.http"))) {
                        io = c.contains("s3") ? "S3" : c.contains("dynamodb") ? "DynamoDB" : "edge HTTP";
                    }
                    if (c.startsWith("dev.slipway.shared.") && !c.startsWith("CleanupService")) {
                        where = c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
                        break;
                    }
                }
                if (where != null) {
                    hits.merge(where + (io == null ? "" : " [" + io + "]"), 1, Integer::sum);
                    samples++;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() {
            running = false;
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void print() {
            if (samples == 0) {
                return;
            }
            System.out.print("    where the time went (innermost Slipway frame, share of samples):");
            hits.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
                    .forEach(e -> System.out.printf("%n      %5.1f %%  %s", 100.0 * e.getValue() / samples, e.getKey()));
            System.out.println();
        }
    }

    // ---- checking

    private static void check(LocalRuntime runtime, DeployStores store, ReleaseFiles files, AuditLedger ledger, List<Seeded> expired,
                              List<Seeded> rest, Map<String, List<String>> production, Measured m) throws Exception {
        long t = System.nanoTime();
        for (Seeded s : expired) {
            require(store.previews().get(s.app, s.name).isEmpty(), "preview record left: " + s.label());
            require(store.aliases().get(s.app, Preview.aliasName(s.name)).isEmpty(), "alias left: " + s.label());
            require(!store.aliases().referenced(s.app, s.releaseId), "ref item left: " + s.label());
            require(store.releases().get(s.app, s.releaseId).map(Release::status).orElse(null) == ReleaseStatus.DELETED, "release not DELETED: " + s.releaseId);
            require(files.s3().listObjectsV2(r -> r.bucket(files.bucket()).prefix(SiteKeys.releasePrefix(s.app, s.releaseId))).keyCount() == 0,
                    "files left: " + s.releaseId);
            require(!files.manifestExists(s.app, s.releaseId), "manifest left: " + s.releaseId);
            require(runtime.edge().routes().get(s.label()) == null, "route left: " + s.label());
            require(edge(runtime, s.label()).statusCode() == 404, "edge still serves " + s.label());
        }
        // A sample of the live previews (evenly spread) is untouched and served.
        int step = Math.max(1, rest.size() / SAMPLE);
        int sampled = 0;
        for (int i = 0; i < rest.size(); i += step, sampled++) {
            Seeded s = rest.get(i);
            require(store.previews().get(s.app, s.name).isPresent(), "live preview gone: " + s.label());
            require(store.aliases().get(s.app, Preview.aliasName(s.name)).map(a -> a.releaseId().equals(s.releaseId)).orElse(false), "alias moved: " + s.label());
            require(store.releases().get(s.app, s.releaseId).orElseThrow().status() == ReleaseStatus.READY, "live release not READY: " + s.releaseId);
            HttpResponse<String> page = edge(runtime, s.label());
            require(page.statusCode() == 200 && page.body().contains("Preview " + s.name + " of " + s.app), "edge does not serve " + s.label());
            require(edge(runtime, s.label(), "/assets/index-9c1e.js").statusCode() == 200, "asset gone: " + s.label());
        }
        for (var e : production.entrySet()) {
            for (String id : e.getValue()) {
                require(store.releases().get(e.getKey(), id).orElseThrow().status() == ReleaseStatus.READY, "production/retained release removed: " + id);
            }
            String current = e.getValue().get(e.getValue().size() - 1);
            HttpResponse<String> page = edge(runtime, e.getKey());
            require(page.statusCode() == 200 && page.body().contains("Production " + current), "production not served: " + e.getKey());
            var v = ledger.verify(e.getKey());
            require(v.valid(), "audit chain of " + e.getKey() + ": " + v);
        }
        // One preview.expired and one release.removed per expired preview.
        Map<String, Long> perApp = new TreeMap<>();
        expired.forEach(s -> perApp.merge(s.app, 1L, Long::sum));
        for (var e : perApp.entrySet()) {
            List<AuditEvent> tail = ledger.events(e.getKey(), Math.max(1, ledger.head(e.getKey()).seq() - 4 * e.getValue() - 50), 100_000);
            long expiredEvents = tail.stream().filter(x -> x.action().equals("preview.expired")
                    && expired.stream().anyMatch(s -> s.app.equals(e.getKey()) && x.target().equals("preview/" + s.name))).count();
            long removedEvents = tail.stream().filter(x -> x.action().equals(ReleaseSweeper.REMOVED)
                    && expired.stream().anyMatch(s -> s.app.equals(e.getKey()) && x.target().equals("release/" + s.releaseId))).count();
            require(expiredEvents == e.getValue() && removedEvents == e.getValue(), e.getKey() + ": " + expiredEvents + " preview.expired, "
                    + removedEvents + " release.removed for " + e.getValue() + " expired previews");
        }
        System.out.printf("    checked in %.1f s: %d expired previews gone (record, alias, ref, route, edge 404, release DELETED, files and manifest gone); "
                        + "%d live previews sampled untouched and served; production served; %d audit chains verify, one preview.expired and one "
                        + "release.removed each%n",
                (System.nanoTime() - t) / 1e9, expired.size(), sampled, production.size());
    }

    private static final List<String> FAILURES = new ArrayList<>();

    private static void require(boolean ok, String what) {
        if (!ok) {
            fail(what);
        }
    }

    private static void fail(String what) {
        if (FAILURES.size() < 50) {
            System.out.println("    CHECK FAILED: " + what);
        }
        FAILURES.add(what);
    }

    private static HttpResponse<String> edge(LocalRuntime runtime, String label) throws Exception {
        return edge(runtime, label, "/");
    }

    private static HttpResponse<String> edge(LocalRuntime runtime, String label, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.edge().port() + path))
                .header("host", label + ".localhost:" + runtime.edge().port()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> api(LocalRuntime runtime, String method, String path, String json) throws Exception {
        return BenchApi.call(http, runtime, method, path, json, Duration.ofMinutes(2));
    }
}
