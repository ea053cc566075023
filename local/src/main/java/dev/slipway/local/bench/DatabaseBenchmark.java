package dev.slipway.local.bench;

import dev.slipway.local.LocalRuntime;
import dev.slipway.local.engines.S3LocalEngine;
import dev.slipway.shared.data.backup.BackupEngine;
import dev.slipway.shared.data.backup.BackupKeys;
import dev.slipway.shared.data.backup.BackupManifest;
import dev.slipway.shared.data.link.DatabaseSecrets;
import dev.slipway.shared.data.postgres.LocalPostgres;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import dev.slipway.shared.imports.tree.ImportTree;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backup and restore of about {@code megabytes} MB of table data (default 1024) against {@code pg_dump -Fc}
 * and {@code pg_restore} on the same data in the same run: Slipway's backup (one snapshot, COPY, gzip,
 * AES-GCM, multipart into the local S3 server) vs pg_dump's custom format to a local file; Slipway's
 * restore (from S3, one transaction) vs pg_restore into an empty database. Prints the times, the
 * ratios (goal ≤ 1.2×), the verify restore's time, and peak memory: heap used (sampled) and the
 * process's peak RSS (VmHWM; the S3 server runs in this process too). The Postgres server is one whose
 * major version pg_dump can read: the embedded one, or the system's server of pg_dump's version.
 */
public final class DatabaseBenchmark {
    private DatabaseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        Path work = Files.createTempDirectory("slipway-bench-database-");
        int pgDumpMajor = pgDumpMajor();
        Path bin = serverFor(pgDumpMajor);
        LocalPostgres pg = LocalPostgres.start(bin, work.resolve("pg"), freePort(), false);
        S3LocalEngine s3engine = S3LocalEngine.start(work.resolve("s3"), 0, "benchkey", "benchsecretkey");
        try (var http = ApacheHttpClient.builder().build();
             S3Client s3 = S3Client.builder().httpClient(http).region(Region.of(LocalRuntime.REGION)).forcePathStyle(true)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("benchkey", "benchsecretkey"))).endpointOverride(s3engine.endpoint()).build()) {
            s3.createBucket(r -> r.bucket("bench"));
            PostgresServer server = pg.server();
            BackupEngine engine = new BackupEngine(s3, "bench", new BackupKeys(DatabaseSecrets.local(work.resolve("keys"))), Clock.systemUTC());
            System.out.printf(Locale.ROOT, "Postgres %d (%s), pg_dump %d%n", pg.majorVersion(), bin, pgDumpMajor);
            try (ScratchDatabase source = server.createDatabase("benchsrc")) {
                long rows = fill(source, megabytes);
                long tableBytes = tableBytes(source);
                System.out.printf(Locale.ROOT, "data: %,d MB of tables (%,d rows in 3 tables: text, jsonb, bytea, arrays, NULLs)%n",
                        tableBytes >> 20, rows);
                MemoryPeak memory = new MemoryPeak();

                // backup: Slipway, then pg_dump -Fc, alternately twice; the faster of each counts (the first warms the caches)
                long slipwayBackup = Long.MAX_VALUE;
                long pgDump = Long.MAX_VALUE;
                BackupManifest manifest = null;
                Path dumpFile = work.resolve("bench.dump");
                for (int round = 0; round < 2; round++) {
                    long t0 = System.nanoTime();
                    try (Connection c = source.connect()) {
                        manifest = engine.dump(c, "bench", "01bench" + round, "postgres", () -> { });
                    }
                    slipwayBackup = Math.min(slipwayBackup, System.nanoTime() - t0);
                    Files.deleteIfExists(dumpFile);
                    t0 = System.nanoTime();
                    exec(List.of("pg_dump", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", LocalPostgres.SUPERUSER,
                            "-Fc", "-f", dumpFile.toString(), source.name()));
                    pgDump = Math.min(pgDump, System.nanoTime() - t0);
                }
                long backupHeap = memory.heapPeakAndReset();
                System.out.printf(Locale.ROOT, "dump size: slipway %,d MB (gzip -1, encrypted), pg_dump -Fc %,d MB%n",
                        manifest.bytes() >> 20, Files.size(dumpFile) >> 20);
                line("backup", slipwayBackup, "pg_dump -Fc", pgDump);

                long slipwayRestore = Long.MAX_VALUE;
                long pgRestore = Long.MAX_VALUE;
                for (int round = 0; round < 2; round++) {
                    try (ScratchDatabase target = server.createDatabase("benchours"); Connection c = target.connect()) {
                        long t0 = System.nanoTime();
                        engine.restore(manifest, c, false);
                        slipwayRestore = Math.min(slipwayRestore, System.nanoTime() - t0);
                    }
                    try (ScratchDatabase target = server.createDatabase("benchtheirs")) {
                        long t0 = System.nanoTime();
                        exec(List.of("pg_restore", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", LocalPostgres.SUPERUSER,
                                "--no-owner", "-d", target.name(), dumpFile.toString()));
                        pgRestore = Math.min(pgRestore, System.nanoTime() - t0);
                    }
                }
                long restoreHeap = memory.heapPeakAndReset();
                line("restore", slipwayRestore, "pg_restore", pgRestore);

                long verify;
                try (ScratchDatabase target = server.createDatabase("benchverify"); Connection c = target.connect()) {
                    long t0 = System.nanoTime();
                    List<String> differences = engine.verify(manifest, c);
                    verify = System.nanoTime() - t0;
                    if (!differences.isEmpty()) {
                        throw new IllegalStateException("the backup did not verify: " + differences);
                    }
                }
                long verifyHeap = memory.heapPeakAndReset();
                memory.stop();
                System.out.printf(Locale.ROOT, "verify (restore into scratch + counts and checksums)  %,d ms%n", verify / 1_000_000);
                System.out.printf(Locale.ROOT, "peak heap used: backup %,d MB, restore %,d MB, verify %,d MB (max heap %,d MB); peak RSS %,d MB%n",
                        backupHeap >> 20, restoreHeap >> 20, verifyHeap >> 20, Runtime.getRuntime().maxMemory() >> 20, peakRssKb() >> 10);
            }
        } finally {
            pg.close();
            s3engine.close();
            ImportTree.deleteTree(work);
        }
    }

    private static void line(String what, long ours, String theirsName, long theirs) {
        System.out.printf(Locale.ROOT, "%-8s slipway %,d ms   %s %,d ms   ratio %.2fx%n", what, ours / 1_000_000, theirsName,
                theirs / 1_000_000, (double) ours / theirs);
    }

    /** About {@code megabytes} MB in three tables, generated by the server (no bytes cross the wire to make them). */
    private static long fill(ScratchDatabase db, int megabytes) throws Exception {
        long rows = Math.max(1000, megabytes * 1024L * 1024L / 300); // ~300 bytes a row on disk, all tables together
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, email text UNIQUE, name text, created timestamptz, tags text[])");
            s.execute("CREATE TABLE events (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, account_id bigint REFERENCES accounts(id),"
                    + " kind text NOT NULL, payload jsonb, at timestamptz NOT NULL, note text)");
            s.execute("CREATE TABLE blobs (id bigint PRIMARY KEY, data bytea)");
            long accounts = Math.max(100, rows / 10);
            s.execute("INSERT INTO accounts SELECT g, 'user' || g || '@example.com', 'Name ' || md5(g::text), now() - g * interval '1 minute',"
                    + " ARRAY['a' || (g % 10), 'b' || (g % 7)] FROM generate_series(1, " + accounts + ") g");
            s.execute("INSERT INTO events (account_id, kind, payload, at, note) SELECT 1 + (g % " + accounts + "), 'kind' || (g % 20),"
                    + " jsonb_build_object('n', g, 'h', md5(g::text), 'ok', g % 2 = 0), now() - g * interval '1 second',"
                    + " CASE WHEN g % 5 = 0 THEN NULL ELSE repeat(md5(g::text), 2) END FROM generate_series(1, " + rows + ") g");
            s.execute("INSERT INTO blobs SELECT g, decode(md5(g::text) || md5((g + 1)::text), 'hex') FROM generate_series(1, " + rows / 4 + ") g");
            s.execute("VACUUM ANALYZE");
            return accounts + rows + rows / 4;
        }
    }

    private static long tableBytes(ScratchDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT sum(pg_table_size(c.oid)) FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** pg_dump's major version; it reads servers of its version and older only. */
    private static int pgDumpMajor() throws IOException, InterruptedException {
        String out;
        try {
            out = exec(List.of("pg_dump", "--version"));
        } catch (IOException missing) {
            throw new IllegalStateException("pg_dump is not installed: Debian/Ubuntu `apt-get install postgresql-client`,"
                    + " macOS `brew install libpq` (then put its bin on PATH)", missing);
        }
        return LocalPostgres.majorOf(out);
    }

    /** Server binaries pg_dump can read: the embedded ones if not newer, else the system's server of pg_dump's version. */
    private static Path serverFor(int pgDumpMajor) throws Exception {
        Path embedded = LocalPostgres.binaries();
        String version = exec(List.of(embedded.resolve("postgres").toString(), "--version"));
        int major = LocalPostgres.majorOf(version);
        if (major <= pgDumpMajor) {
            return embedded;
        }
        Path system = Path.of("/usr/lib/postgresql/" + pgDumpMajor + "/bin");
        if (Files.isExecutable(system.resolve("postgres"))) {
            return system;
        }
        throw new IllegalStateException("pg_dump " + pgDumpMajor + " cannot dump the embedded Postgres (" + version.strip()
                + "): install postgresql-client-" + major + " (apt.postgresql.org) or set " + LocalPostgres.BIN_ENV
                + " to a server of version " + pgDumpMajor);
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Samples heap used every 20 ms: its peak since the last reset. */
    private static final class MemoryPeak {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        MemoryPeak() {
            thread = new Thread(() -> {
                var heap = ManagementFactory.getMemoryMXBean();
                while (running) {
                    peak.accumulateAndGet(heap.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-peak");
            thread.setDaemon(true);
            thread.start();
        }

        long heapPeakAndReset() {
            System.gc(); // what the next phase keeps, not what the last one left for the collector
            return peak.getAndSet(0);
        }

        void stop() {
            running = false;
        }
    }

}
