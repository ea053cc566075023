package dev.slipway.shared.deploy.upload;

import dev.slipway.shared.errors.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.deploy.ContentPolicy;
import dev.slipway.shared.deploy.Manifest;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.ContentIndex;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.store.SweepQueue;
import dev.slipway.shared.deploy.ReleaseView;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.SitePath;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.http.Paging;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Direct upload of a prebuilt site, by content digest (the Netlify/Vercel model):
 * <ol>
 *   <li>{@code POST /apps/{app}/releases {"files": {"/index.html": "<sha256>", …}}} creates a STAGED
 *       release, keeps the file list beside it ({@code releases/{app}/{id}/pending.json}) and answers
 *       the hashes the app does not store yet, each with a presigned PUT to
 *       {@code uploads/{app}/content/{sha256}}. Content any earlier release of the app holds (the
 *       content index, {@link ContentIndex}) is never uploaded again.</li>
 *   <li>{@code POST …/releases/{id}/finalize} checks every new upload (present: else 409, its SHA-256:
 *       else 422, and in both cases nothing has changed, so the client uploads and finalizes again),
 *       then copies every file server-side into {@code sites/{app}/{id}/} with its content type and
 *       cache policy, writes and verifies the manifest, marks the release READY (with its audit
 *       event), records the new content in the index and deletes the consumed uploads.</li>
 * </ol>
 * The READY release is deployed like any other ({@code POST /apps/{app}/deployments {"releaseId"}}).
 */
public final class DirectUploadService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DirectUploadService.class);
    public static final int MAX_FILES = 20_000;
    /** 20,000 paths and hashes fit with room to spare; the API Gateway and Lambda limits are 6+ MB. */
    public static final int MAX_BODY_BYTES = 5 * 1024 * 1024;
    public static final String SOURCE = "upload";
    static final Duration URL_LIFETIME = Duration.ofHours(1);
    /**
     * Upload URLs per answer. In Lambda each presigned URL carries the session token (~1.5 KB), so
     * 20,000 of them would pass the 6 MB response limit: the rest come from GET …/uploads?cursor=.
     */
    public static final int UPLOADS_PAGE = 500;
    /** Requests in flight at once during finalize (S3 latency bound, as in {@link ReleaseFiles}). */
    static final int PARALLELISM = 32;
    /** Hashes named in a problem's detail; the full list is in its errors. */
    private static final int LISTED = 20;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final AppService apps;
    private final ReleaseStore releases;
    private final AliasStore aliases;
    private final ContentIndex content;
    private final SweepQueue sweeps;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final S3Presigner presigner;
    private final SiteUrls urls;
    private final Clock clock;

    public DirectUploadService(AppService apps, DeployStores stores, ReleaseFiles files, S3Presigner presigner,
                               SiteUrls urls, Clock clock) {
        this.apps = apps;
        this.releases = stores.releases();
        this.aliases = stores.aliases();
        this.content = stores.content();
        this.sweeps = stores.sweeps();
        this.audit = stores.audit();
        this.files = files;
        this.presigner = presigner;
        this.urls = urls;
        this.clock = clock;
    }

    /** What a pending release will hold: path (normalised, no leading slash) → sha256. */
    record Pending(TreeMap<String, String> files) {
    }

    /** Where the app already stores some content: an S3 key of a READY release, its size and MD5. */
    record Stored(String key, long size, String md5) {
        static Stored parse(String doc) {
            if (doc == null || !doc.startsWith("{")) {
                return new Stored(doc, -1, null);
            }
            JsonNode n = Json.parse(doc);
            return new Stored(n.path("key").asText(), n.path("size").asLong(-1), n.path("md5").asText(null));
        }

        String write() {
            ObjectNode n = Json.object();
            n.put("key", key);
            n.put("size", size);
            n.put("md5", md5);
            return Json.write(n);
        }
    }

    // ---- POST /apps/{appId}/releases

    public ObjectNode create(String appId, ObjectNode body, Actor actor) {
        TreeMap<String, String> list = readFiles(body);
        App app = apps.get(appId);
        Set<String> distinct = new LinkedHashSet<>(list.values());
        Map<String, String> known = content.known(app.id(), distinct);
        List<String> required = distinct.stream().filter(sha -> !known.containsKey(sha)).sorted().toList();

        Instant now = clock.instant();
        String id = Ulid.next(now).toLowerCase(Locale.ROOT);
        ObjectNode pending = Json.object();
        ObjectNode pf = pending.putObject("files");
        list.forEach(pf::put);
        ArrayNode pr = pending.putArray("required");
        required.forEach(pr::add);
        // The list first: a release record always has its list beside it.
        files.s3().putObject(r -> r.bucket(files.bucket()).key(pendingKey(app.id(), id)).contentType("application/json"),
                RequestBody.fromString(Json.write(pending)));
        Release staged = new Release(app.id(), id, null, null, null, SOURCE, ReleaseStatus.STAGED, list.size(), 0, now, null, null,
                null, actor.id());
        // Never finalized → the cleanup removes it a day later (it drops the candidate once READY).
        sweeps.put(app.id(), id, now.plus(SweepQueue.UPLOAD_GRACE),
                SweepQueue.UPLOAD_NOT_FINALIZED);
        releases.putStaged(staged);

        ObjectNode out = Json.object();
        out.put("releaseId", id);
        out.put("appId", app.id());
        out.put("status", ReleaseStatus.STAGED.name());
        out.put("files", list.size());
        ArrayNode req = out.putArray("required");
        required.forEach(req::add);
        addUploads(out, app.id(), id, required, 0, UPLOADS_PAGE);
        out.set("links", links(app.id(), id));
        return out;
    }

    // ---- GET /apps/{appId}/releases/{releaseId}/uploads?cursor=

    /** The next page of upload URLs of a STAGED upload release (the create answer holds the first). */
    public ObjectNode uploads(String appId, String releaseId, String cursor, int limit) {
        Release r = release(appId, releaseId);
        if (r.status() != ReleaseStatus.STAGED || !SOURCE.equals(r.source())) {
            throw new DomainException(DomainError.RELEASE_ALREADY_FINAL, "Release " + r.id() + " is "
                    + (SOURCE.equals(r.source()) ? r.status() : "a built release") + "; it takes no uploads");
        }
        int from = 0;
        if (cursor != null) {
            try {
                from = Integer.parseInt(Paging.decodeCursor(cursor));
            } catch (NumberFormatException e) {
                throw Paging.invalidCursor();
            }
        }
        List<String> required = required(r.appId(), r.id());
        if (from < 0 || from > required.size()) {
            throw Paging.invalidCursor();
        }
        ObjectNode out = Json.object();
        out.put("releaseId", r.id());
        addUploads(out, r.appId(), r.id(), required, from, limit);
        return out;
    }

    /** {@code uploads} for required[from, from+limit), and the cursor of the rest. */
    private void addUploads(ObjectNode out, String appId, String releaseId, List<String> required, int from, int limit) {
        ArrayNode uploads = out.putArray("uploads");
        Instant expires = null;
        int to = Math.min(required.size(), from + limit);
        for (String sha : required.subList(from, to)) {
            PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(URL_LIFETIME)
                    .putObjectRequest(r -> r.bucket(files.bucket()).key(SiteKeys.upload(appId, sha))));
            ObjectNode u = uploads.addObject();
            u.put("sha256", sha);
            u.put("url", put.url().toString());
            u.put("method", "PUT");
            ObjectNode headers = u.putObject("headers");
            put.signedHeaders().forEach((h, values) -> {
                if (!h.equalsIgnoreCase("host")) {
                    headers.put(h, String.join(",", values));
                }
            });
            expires = put.expiration();
        }
        if (expires != null) {
            out.put("uploadsExpireAt", expires.toString());
        }
        if (to < required.size()) {
            out.put("nextUploadsCursor", Paging.encodeCursor(Integer.toString(to)));
            out.put("nextUploads", "/apps/" + appId + "/releases/" + releaseId + "/uploads?cursor=" + Paging.encodeCursor(Integer.toString(to)));
        }
    }

    /** Checks the body: {"files": {path: sha256}}, 1 to {@value #MAX_FILES} files. */
    static TreeMap<String, String> readFiles(ObjectNode body) {
        Iterator<String> names = body.fieldNames();
        List<FieldError> unknown = new ArrayList<>();
        while (names.hasNext()) {
            String f = names.next();
            if (!f.equals("files")) {
                unknown.add(new FieldError("/" + pointerEscape(f), "unknown field; accepted: files"));
            }
        }
        if (!unknown.isEmpty()) {
            throw new DomainException(DomainError.UNKNOWN_FIELD, "Unknown field " + unknown.get(0).pointer(), unknown);
        }
        JsonNode fs = body.get("files");
        if (fs == null || !fs.isObject()) {
            throw invalid("/files", "is required: an object of file path → sha256 (lowercase hex)");
        }
        if (fs.isEmpty()) {
            throw invalid("/files", "must list at least one file");
        }
        if (fs.size() > MAX_FILES) {
            throw new DomainException(DomainError.PAYLOAD_TOO_LARGE,
                    "A release holds at most " + MAX_FILES + " files; this one lists " + fs.size());
        }
        TreeMap<String, String> out = new TreeMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fs.fields(); it.hasNext() && errors.size() < 50; ) {
            Map.Entry<String, JsonNode> e = it.next();
            String pointer = "/files/" + pointerEscape(e.getKey());
            String path;
            try {
                path = SitePath.check(e.getKey());
            } catch (IllegalArgumentException x) {
                errors.add(new FieldError(pointer, x.getMessage()));
                continue;
            }
            JsonNode v = e.getValue();
            if (!v.isTextual() || !SHA256.matcher(v.asText()).matches()) {
                errors.add(new FieldError(pointer, "must be the file's SHA-256 as 64 lowercase hex digits"));
                continue;
            }
            if (out.put(path, v.asText()) != null) {
                errors.add(new FieldError(pointer, "names the same file as another entry"));
            }
        }
        if (!errors.isEmpty()) {
            throw new DomainException(DomainError.VALIDATION_FAILED,
                    errors.size() == 1 ? errors.get(0).pointer() + ": " + errors.get(0).detail() : errors.size() + " files are invalid", errors);
        }
        return out;
    }

    // ---- POST /apps/{appId}/releases/{releaseId}/finalize

    /** The finalized release's view, and whether this call finalized it (false: it was READY already). */
    public record Finalized(ObjectNode view, boolean changed) {
    }

    public Finalized finalize(String appId, String releaseId, Actor actor) {
        Release r = release(appId, releaseId);
        if (r.status() == ReleaseStatus.READY) {
            return new Finalized(view(r), false);
        }
        if (r.status() == ReleaseStatus.FAILED || r.status().removal() || !SOURCE.equals(r.source())) {
            throw new DomainException(DomainError.RELEASE_ALREADY_FINAL, "Release " + r.id() + " is "
                    + (SOURCE.equals(r.source()) ? r.status() : "a built release, not an upload") + "; it cannot be finalized");
        }
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
            deleteQuietly(List.of(pendingKey(r.appId(), r.id())));
            long t4 = System.nanoTime();
            LOG.info("finalized release {} of {}: {} files ({} new, {} known); check {} ms, copy {} ms, manifest+verify {} ms, ready+index+cleanup {} ms",
                    r.id(), r.appId(), list.size(), fresh.size(), known.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
            return new Finalized(view(ready), true);
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

    // ---- GET /apps/{appId}/releases/{releaseId}

    public ObjectNode get(String appId, String releaseId) {
        return view(release(appId, releaseId));
    }

    public ObjectNode view(Release r) {
        return ReleaseView.of(r, aliases.get(r.appId(), Alias.PRODUCTION), urls);
    }

    // ---- plumbing

    private Release release(String appId, String releaseId) {
        App app = apps.get(appId);
        if (releaseId == null || !Ulid.isValid(releaseId.toUpperCase(Locale.ROOT))) {
            throw new DomainException(DomainError.RELEASE_NOT_FOUND, "No release has the id \""
                    + (releaseId == null ? "" : releaseId.length() > 40 ? releaseId.substring(0, 40) + "…" : releaseId) + "\"");
        }
        return releases.get(app.id(), releaseId.toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new DomainException(DomainError.RELEASE_NOT_FOUND, "App " + app.id() + " has no release " + releaseId));
    }

    private TreeMap<String, String> pending(String appId, String releaseId) {
        try {
            byte[] bytes = files.s3().getObjectAsBytes(g -> g.bucket(files.bucket()).key(pendingKey(appId, releaseId))).asByteArray();
            TreeMap<String, String> out = new TreeMap<>();
            Json.MAPPER.readTree(bytes).path("files").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (NoSuchKeyException e) {
            throw new DomainException(DomainError.RELEASE_NOT_FOUND, "Release " + releaseId + " has no pending file list");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hashes the create answer asked for, in its order (recomputed for lists written before it was kept). */
    private List<String> required(String appId, String releaseId) {
        try {
            byte[] bytes = files.s3().getObjectAsBytes(g -> g.bucket(files.bucket()).key(pendingKey(appId, releaseId))).asByteArray();
            JsonNode n = Json.MAPPER.readTree(bytes);
            if (n.has("required")) {
                List<String> out = new ArrayList<>();
                n.get("required").forEach(x -> out.add(x.asText()));
                return out;
            }
            Set<String> distinct = new LinkedHashSet<>();
            n.path("files").forEach(x -> distinct.add(x.asText()));
            Map<String, String> known = content.known(appId, distinct);
            return distinct.stream().filter(sha -> !known.containsKey(sha)).sorted().toList();
        } catch (NoSuchKeyException e) {
            throw new DomainException(DomainError.RELEASE_NOT_FOUND, "Release " + releaseId + " has no pending file list");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pendingKey(String appId, String releaseId) {
        return SiteKeys.pending(appId, releaseId);
    }

    private static ObjectNode links(String appId, String releaseId) {
        ObjectNode links = Json.object();
        String self = "/apps/" + appId + "/releases/" + releaseId;
        links.put("self", self);
        links.put("finalize", self + "/finalize");
        links.put("deploy", "/apps/" + appId + "/deployments");
        links.put("app", "/apps/" + appId);
        return links;
    }

    private static DomainException hashes(DomainError type, List<String> shas, String what, String next) {
        List<FieldError> errors = shas.stream()
                .map(sha -> new FieldError("/files", sha + what)).toList();
        String shown = String.join(", ", shas.subList(0, Math.min(LISTED, shas.size())))
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

    private static DomainException invalid(String pointer, String detail) {
        return new DomainException(DomainError.VALIDATION_FAILED, pointer + ": " + detail,
                List.of(new FieldError(pointer, detail)));
    }

    private static String pointerEscape(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
