package dev.slipway.shared.deploy.upload;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.ContentPolicy;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.store.ContentIndex;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.upload.DirectUploadService.Stored;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The work of {@code POST …/releases/{id}/finalize} ({@link DirectUploadService}) once the release
 * is known to be a STAGED upload: every new upload checked, every file copied into the release
 * server-side, the manifest written and verified, READY with its audit event, the content index
 * told, the uploads removed.
 */
public final class ReleaseFinalizer {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFinalizer.class);
    /** Requests in flight at once during finalize (S3 latency bound, as in {@link ReleaseFiles}). */
    static final int PARALLELISM = 32;
    /**
     * Hashes a problem names, in its detail and in its errors; the detail counts all of them. A site
     * of 20,000 files whose uploads never came would otherwise answer a 2 MB problem.
     */
    static final int LISTED = 20;

    private final ReleaseStore releases;
    private final ContentIndex content;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final Clock clock;

    public ReleaseFinalizer(DeployStores stores, ReleaseFiles files, Clock clock) {
        this.releases = stores.releases();
        this.content = stores.content();
        this.audit = stores.audit();
        this.files = files;
        this.clock = clock;
    }

    /** Finalizes the STAGED upload {@code r}; returns it READY. */
    Release finalizeStaged(Release r, Actor actor) {
        TreeMap<String, String> list = pending(r.appId(), r.id());
        Set<String> distinct = new LinkedHashSet<>(list.values());
        Map<String, Stored> known = new LinkedHashMap<>();
        content.known(r.appId(), distinct).forEach((sha, doc) -> known.put(sha, Stored.parse(doc)));
        List<String> fresh = distinct.stream().filter(sha -> !known.containsKey(sha)).sorted().toList();

        ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
        long t0 = System.nanoTime();
        try {
            // 1. Check every new upload; nothing is written until all are there and right.
            Map<String, Checked> checked = parallel(pool, fresh, sha -> check(r.appId(), sha));
            List<String> missing = fresh.stream().filter(sha -> checked.get(sha) == null).toList();
            if (!missing.isEmpty()) {
                throw hashes(DomainError.RELEASE_FILES_MISSING, missing, " not uploaded yet",
                        "PUT them to their upload URLs (POST /apps/" + r.appId() + "/releases again for fresh URLs), then finalize again");
            }
            List<String> wrong = fresh.stream().filter(sha -> !checked.get(sha).sha256().equals(sha)).toList();
            if (!wrong.isEmpty()) {
                throw hashes(DomainError.RELEASE_FILES_MISMATCH, wrong, " uploaded with other content (its SHA-256 differs)",
                        "PUT the right bytes to their upload URLs, then finalize again");
            }

            long t1 = System.nanoTime();
            // 2. Every file into the release, server-side: known content from where the index says, new from its upload.
            String prefix = SiteKeys.releasePrefix(r.appId(), r.id());
            List<Map.Entry<String, String>> entries = new ArrayList<>(list.entrySet());
            Map<Map.Entry<String, String>, Manifest.File> written = parallel(pool, entries, e -> {
                String path = e.getKey(), sha = e.getValue();
                Stored from = known.get(sha);
                Checked up = checked.get(sha);
                String sourceKey = from != null ? from.key() : SiteKeys.upload(r.appId(), sha);
                String contentType = ContentPolicy.contentType(path), cacheControl = ContentPolicy.cacheControl(path);
                var copied = files.s3().copyObject(c -> {
                    c.sourceBucket(files.bucket()).sourceKey(sourceKey)
                            .destinationBucket(files.bucket()).destinationKey(prefix + path)
                            .metadataDirective(MetadataDirective.REPLACE)
                            .contentType(contentType).cacheControl(cacheControl).metadata(Map.of("sha256", sha));
                    if (up != null && up.eTag() != null) {
                        c.copySourceIfMatch(up.eTag()); // the bytes that were checked, not a later PUT
                    }
                });
                String md5 = copied.copyObjectResult().eTag().replace("\"", "");
                long size = up != null ? up.size() : from.size() >= 0 ? from.size()
                        : files.s3().headObject(h -> h.bucket(files.bucket()).key(prefix + path)).contentLength();
                return new Manifest.File(path, size, sha, md5, contentType, cacheControl);
            });
            List<Manifest.File> manifestFiles = new ArrayList<>(written.values());
            manifestFiles.sort(Comparator.comparing(Manifest.File::path));
            long t2 = System.nanoTime();
            Manifest manifest = new Manifest(r.appId(), r.id(), manifestFiles);
            files.writeManifest(manifest);
            List<String> problems = files.verify(manifest);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("release " + r.id() + " files do not match its manifest: "
                        + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
            }

            long t3 = System.nanoTime();
            // 3. READY with its audit event, then the index learns the new content, then the uploads go.
            Release ready = r.ready(manifest.files().size(), manifest.totalBytes(), clock.instant());
            markReady(ready, actor);
            Map<String, String> index = new LinkedHashMap<>();
            for (Manifest.File f : manifest.files()) {
                if (checked.containsKey(f.sha256()) && !index.containsKey(f.sha256())) {
                    index.put(f.sha256(), new Stored(prefix + f.path(), f.size(), f.md5()).write());
                }
            }
            content.record(r.appId(), index);
            deleteQuietly(fresh.stream().map(sha -> SiteKeys.upload(r.appId(), sha)).toList());
            deleteQuietly(List.of(DirectUploadService.pendingKey(r.appId(), r.id())));
            long t4 = System.nanoTime();
            LOG.info("finalized release {} of {}: {} files ({} new, {} known); check {} ms, copy {} ms, manifest+verify {} ms, ready+index+cleanup {} ms",
                    r.id(), r.appId(), list.size(), fresh.size(), known.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
            return ready;
        } finally {
            pool.shutdownNow();
        }
    }

    /** An upload as S3 holds it: its actual SHA-256, size and ETag. */
    record Checked(String sha256, long size, String eTag) {
    }

    private Checked check(String appId, String sha) {
        MessageDigest digest = sha256();
        try (ResponseInputStream<GetObjectResponse> in = files.s3().getObject(g -> g.bucket(files.bucket()).key(SiteKeys.upload(appId, sha)))) {
            byte[] buf = new byte[64 * 1024];
            long size = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                size += n;
                if (size > ReleaseFiles.MAX_FILE_BYTES) {
                    return new Checked("too-large", size, null);
                }
            }
            return new Checked(HexFormat.of().formatHex(digest.digest()), size, in.response().eTag());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void markReady(Release ready, Actor actor) {
        for (int attempt = 0; ; attempt++) {
            try {
                releases.markReady(ready, AuditEvent.next(audit.head(ready.appId()), ready.appId(), clock.instant(), actor,
                        "release.ready", "release/" + ready.id(), null, Json.MAPPER.valueToTree(ready)));
                return;
            } catch (WriteConflict e) {
                if (e.part() != WriteConflict.Part.AUDIT_HEAD || attempt >= 10) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The app changed while the release was finalized; retry");
                }
            }
        }
    }

    private TreeMap<String, String> pending(String appId, String releaseId) {
        try {
            byte[] bytes = files.s3().getObjectAsBytes(g -> g.bucket(files.bucket()).key(DirectUploadService.pendingKey(appId, releaseId))).asByteArray();
            TreeMap<String, String> out = new TreeMap<>();
            Json.MAPPER.readTree(bytes).path("files").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (NoSuchKeyException e) {
            throw new DomainException(DomainError.RELEASE_NOT_FOUND, "Release " + releaseId + " has no pending file list");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refusal naming the first {@link #LISTED} of {@code shas} (sorted) and counting all of them. */
    static DomainException hashes(DomainError type, List<String> shas, String what, String next) {
        List<String> listed = shas.subList(0, Math.min(LISTED, shas.size()));
        List<FieldError> errors = listed.stream()
                .map(sha -> new FieldError("/files", sha + what)).toList();
        String shown = String.join(", ", listed)
                + (shas.size() > LISTED ? " and " + (shas.size() - LISTED) + " more" : "");
        return new DomainException(type, shas.size() + (shas.size() == 1 ? " file was" : " files were")
                + what.replace(" its ", " their ") + ": " + shown + ". " + next, errors);
    }

    private static <K, V> Map<K, V> parallel(ExecutorService pool, List<K> keys, Function<K, V> work) {
        List<Future<V>> futures = new ArrayList<>(keys.size());
        for (K k : keys) {
            futures.add(pool.submit(() -> work.apply(k)));
        }
        Map<K, V> out = new LinkedHashMap<>();
        try {
            for (int i = 0; i < keys.size(); i++) {
                out.put(keys.get(i), futures.get(i).get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while finalizing", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    private void deleteQuietly(List<String> keys) {
        for (int from = 0; from < keys.size(); from += 1000) {
            List<ObjectIdentifier> ids = keys.subList(from, Math.min(keys.size(), from + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            try {
                files.s3().deleteObjects(d -> d.bucket(files.bucket()).delete(Delete.builder().objects(ids).quiet(true).build()));
            } catch (RuntimeException e) {
                // uploads/ expires by the bucket's lifecycle rule within a day
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
