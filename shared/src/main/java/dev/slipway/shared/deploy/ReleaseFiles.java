package dev.slipway.shared.deploy;

import dev.slipway.shared.deploy.alias.ReleaseManifests;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerBundles;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A release's files in S3: staging them under {@code sites/{app}/{release}/} with their content
 * type and cache policy, the manifest beside them, checking that what S3 holds is exactly the
 * manifest, and removing a release that never became READY. Writes are idempotent (same key, same
 * bytes), so a retried step simply writes again.
 */
public final class ReleaseFiles implements ReleaseManifests {
    /** Requests in flight at once: S3 latency, not bandwidth, bounds small-file staging. */
    static final int PARALLELISM = 32;
    /** A single site file larger than this is refused (nothing a browser should download as one asset). */
    public static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    /** Bytes of files read but not yet stored, at most (KiB, as semaphore permits); one larger file still passes alone. */
    private final int inFlightKib;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicLong peakInFlightBytes = new AtomicLong();

    public ReleaseFiles(S3Client s3, String bucket) {
        this(s3, bucket, defaultInFlightBytes());
    }

    /** @param maxInFlightBytes how many bytes of read files may wait for S3 at once (32 small files never come near) */
    public ReleaseFiles(S3Client s3, String bucket, long maxInFlightBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.inFlightKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxInFlightBytes >> 10));
    }

    /**
     * An eighth of the heap, 16–256 MiB (the SDK copies each body once more): 32 parallel uploads of big files (a
     * Next.js build's cache packs, videos) filled the local runtime's 256 MiB heap; small-file sites only meet the count.
     */
    static long defaultInFlightBytes() {
        return Math.max(16L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8));
    }

    /** The most bytes that waited for S3 at once since this was made (what the budget bounds). */
    public long peakInFlightBytes() {
        return peakInFlightBytes.get();
    }

    public S3Client s3() {
        return s3;
    }

    public String bucket() {
        return bucket;
    }

    /** One site file to stage: its release-relative path and its bytes. */
    public record SiteFile(String path, byte[] bytes) {
    }

    /** Stages every regular file under {@code dir}; symlinks and other specials are refused. */
    public Manifest stageFolder(String appId, String releaseId, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        List<String> paths = new ArrayList<>();
        for (Path p : files) {
            if (Files.isSymbolicLink(p)) {
                throw new IllegalArgumentException("build output holds a symbolic link: " + dir.relativize(p));
            }
            if (Files.isRegularFile(p)) {
                paths.add(SitePath.check(dir.relativize(p).toString().replace(File.separatorChar, '/')));
            }
        }
        return stage(appId, releaseId, sink -> {
            for (String rel : paths) {
                sink.accept(new SiteFile(rel, readCapped(dir.resolve(rel))));
            }
        });
    }

    /** Stages the entries of a zip (the build's output.zip), streaming it once. */
    public Manifest stageZip(String appId, String releaseId, InputStream zip) throws IOException {
        return stageBuildOutput(appId, releaseId, zip).manifest();
    }

    /** A build's output as staged: its site files, and its server (null for a static app). */
    public record StagedOutput(Manifest manifest, ServerBundle server) {
    }

    /**
     * Stages a build's output.zip: its site files under the release's prefix and, when the build packaged a
     * server ({@link ServerOutput}), the checked bundle under {@link ServerBundle#key} (the bundle's SHA-256 and
     * what runs it as the object's metadata). A bundle over {@link ServerBundle#MAX_UNZIPPED_BYTES} is refused
     * with its sizes.
     */
    public StagedOutput stageBuildOutput(String appId, String releaseId, InputStream zip) throws IOException {
        Path bundleZip = Files.createTempFile("slipway-server-", ".zip");
        byte[][] descriptor = new byte[1][];
        try {
            Manifest manifest = stageZip(appId, releaseId, zip, bundleZip, descriptor);
            if (descriptor[0] == null) {
                return new StagedOutput(manifest, null);
            }
            ServerOutput.Descriptor d = ServerOutput.Descriptor.parse(descriptor[0]);
            ServerBundle bundle = d.bundle(ServerOutput.measure(bundleZip, d.entry(), ServerBundle.MAX_UNZIPPED_BYTES));
            s3.putObject(r -> r.bucket(bucket).key(ServerBundle.key(appId, releaseId)).contentType("application/zip")
                    .metadata(ServerBundles.metadata(bundle)), RequestBody.fromFile(bundleZip));
            return new StagedOutput(manifest, bundle);
        } finally {
            Files.deleteIfExists(bundleZip);
        }
    }

    private Manifest stageZip(String appId, String releaseId, InputStream zip, Path bundleZip, byte[][] descriptor) throws IOException {
        boolean[] hasBundle = {false};
        try (ZipInputStream in = new ZipInputStream(zip)) {
            Manifest m = stage(appId, releaseId, sink -> {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.isDirectory()) {
                        continue;
                    }
                    if (e.getName().equals(ServerOutput.ZIP)) {
                        Files.copy(in, bundleZip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        hasBundle[0] = true;
                        continue;
                    }
                    if (e.getName().equals(ServerOutput.DESCRIPTOR)) {
                        descriptor[0] = in.readNBytes(4096);
                        continue;
                    }
                    String path = SitePath.check(e.getName());
                    byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
                    if (bytes.length > MAX_FILE_BYTES) {
                        throw new IllegalArgumentException(path + " is larger than " + MAX_FILE_BYTES + " bytes");
                    }
                    sink.accept(new SiteFile(path, bytes));
                }
            });
            if (hasBundle[0] != (descriptor[0] != null)) {
                throw new IllegalArgumentException("the build output has a server bundle without its descriptor, or the other way round");
            }
            return m;
        }
    }

    /** The release's server bundle as stored: size and SHA-256 as the release says, else what is wrong. */
    public Optional<String> verifyServer(String appId, String releaseId, ServerBundle bundle) {
        try {
            var head = s3.headObject(r -> r.bucket(bucket).key(ServerBundle.key(appId, releaseId)));
            if (head.contentLength() != bundle.zipBytes()) {
                return Optional.of("the server bundle has " + head.contentLength() + " bytes, the release says " + bundle.zipBytes());
            }
            if (!bundle.sha256().equals(head.metadata().get(ServerBundles.SHA256))) {
                return Optional.of("the server bundle's SHA-256 differs from the release's");
            }
            return Optional.empty();
        } catch (NoSuchKeyException e) {
            return Optional.of("the server bundle is missing");
        }
    }

    /** Removes a release's server bundle (a failed release, or the cleanup's sweep). */
    public void deleteServer(String appId, String releaseId) {
        s3.deleteObject(r -> r.bucket(bucket).key(ServerBundle.key(appId, releaseId)));
    }

    /** Reads files in order and hands each to the sink; the sink bounds how many are in memory. */
    interface FileProducer {
        void produce(Consumer<SiteFile> sink) throws IOException;
    }

    private Manifest stage(String appId, String releaseId, FileProducer producer) throws IOException {
        String prefix = SiteKeys.releasePrefix(appId, releaseId);
        Semaphore inFlight = new Semaphore(PARALLELISM);
        Semaphore budget = new Semaphore(inFlightKib);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
        List<Future<Manifest.File>> futures = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            producer.produce(f -> {
                if (!seen.add(f.path())) {
                    throw new IllegalArgumentException("the site lists " + f.path() + " twice");
                }
                int kib = (int) Math.min(inFlightKib, (f.bytes().length >> 10) + 1);
                budget.acquireUninterruptibly(kib);
                inFlight.acquireUninterruptibly();
                long now = inFlightBytes.addAndGet(f.bytes().length);
                peakInFlightBytes.accumulateAndGet(now, Math::max);
                futures.add(pool.submit(() -> {
                    try {
                        Manifest.File entry = describe(f);
                        s3.putObject(r -> r.bucket(bucket).key(prefix + f.path())
                                        .contentType(entry.contentType()).cacheControl(entry.cacheControl())
                                        .contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(entry.md5())))
                                        .metadata(Map.of("sha256", entry.sha256())),
                                RequestBody.fromBytes(f.bytes()));
                        return entry;
                    } finally {
                        inFlightBytes.addAndGet(-f.bytes().length);
                        inFlight.release();
                        budget.release(kib);
                    }
                }));
            });
            if (futures.isEmpty()) {
                throw new IllegalArgumentException("the site has no files");
            }
            List<Manifest.File> entries = new ArrayList<>();
            for (Future<Manifest.File> f : futures) {
                entries.add(join(f));
            }
            entries.sort(Comparator.comparing(Manifest.File::path));
            Manifest manifest = new Manifest(appId, releaseId, entries);
            writeManifest(manifest);
            return manifest;
        } finally {
            pool.shutdownNow();
        }
    }

    public void writeManifest(Manifest manifest) {
        s3.putObject(r -> r.bucket(bucket).key(SiteKeys.manifest(manifest.appId(), manifest.releaseId()))
                .contentType("application/json"), RequestBody.fromString(Json.write(manifest)));
    }

    /** Whether the release's manifest (and so the release) still exists: one HEAD, whatever its size. */
    @Override
    public boolean manifestExists(String appId, String releaseId) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(SiteKeys.manifest(appId, releaseId)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    public Optional<Manifest> manifest(String appId, String releaseId) {
        try {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(SiteKeys.manifest(appId, releaseId))).asByteArray();
            return Optional.of(Json.MAPPER.readValue(bytes, Manifest.class));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What S3 holds under the release prefix compared with the manifest; empty when they agree. */
    public List<String> verify(Manifest manifest) {
        Map<String, S3Object> stored = new HashMap<>();
        String prefix = SiteKeys.releasePrefix(manifest.appId(), manifest.releaseId());
        s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
                .contents().forEach(o -> stored.put(o.key().substring(prefix.length()), o));
        List<String> problems = new ArrayList<>();
        for (Manifest.File f : manifest.files()) {
            S3Object o = stored.remove(f.path());
            if (o == null) {
                problems.add("missing " + f.path());
            } else if (o.size() != f.size()) {
                problems.add(f.path() + " has " + o.size() + " bytes, manifest says " + f.size());
            } else if (!o.eTag().replace("\"", "").equalsIgnoreCase(f.md5())) {
                problems.add(f.path() + " content differs from the manifest");
            }
        }
        stored.keySet().stream().sorted().limit(20).forEach(extra -> problems.add("unexpected " + extra));
        return problems;
    }

    /** Removes a release's files, manifest and server bundle (never called for READY releases). Returns how many files. */
    public int delete(String appId, String releaseId) {
        int n = deletePrefix(SiteKeys.releasePrefix(appId, releaseId));
        deleteServer(appId, releaseId);
        s3.deleteObject(r -> r.bucket(bucket).key(SiteKeys.manifest(appId, releaseId)));
        return n;
    }

    /** The build's input and output zips and its environment (the log stays: GET …/deployments/{id}/logs reads it). */
    public void deleteBuildFiles(String appId, String deploymentId) {
        for (String key : List.of(SiteKeys.source(appId, deploymentId), SiteKeys.output(appId, deploymentId),
                SiteKeys.buildEnvironment(appId, deploymentId))) {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        }
    }

    public int deletePrefix(String prefix) {
        int n = 0;
        List<ObjectIdentifier> batch = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build()).contents()) {
            batch.add(ObjectIdentifier.builder().key(o.key()).build());
            if (batch.size() == 1000) {
                n += deleteBatch(batch);
            }
        }
        return n + deleteBatch(batch);
    }

    private int deleteBatch(List<ObjectIdentifier> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<ObjectIdentifier> ids = List.copyOf(batch);
        batch.clear();
        s3.deleteObjects(r -> r.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
        return ids.size();
    }

    static Manifest.File describe(SiteFile f) {
        return new Manifest.File(f.path(), f.bytes().length, hex("SHA-256", f.bytes()), hex("MD5", f.bytes()),
                ContentPolicy.contentType(f.path()), ContentPolicy.cacheControl(f.path()));
    }

    public static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readCapped(Path p) throws IOException {
        if (Files.size(p) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(p.getFileName() + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return Files.readAllBytes(p);
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while staging", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException(c);
        }
    }
}
