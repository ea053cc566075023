package dev.slipway.shared.deploy.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ReleaseStatus;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.ContentIndex;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.store.SweepQueue;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Cursors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

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

    private final AppService apps;
    private final ReleaseStore releases;
    private final AliasStore aliases;
    private final ContentIndex content;
    private final SweepQueue sweeps;
    private final AuditHeads audit;
    private final ReleaseFiles files;
    private final S3Presigner presigner;
    private final Clock clock;
    private final ReleaseFinalizer finalizer;

    public DirectUploadService(AppService apps, DeployStores stores, ReleaseFiles files, ReleaseFinalizer finalizer,
                               S3Presigner presigner, Clock clock) {
        this.apps = apps;
        this.releases = stores.releases();
        this.aliases = stores.aliases();
        this.content = stores.content();
        this.sweeps = stores.sweeps();
        this.audit = stores.audit();
        this.files = files;
        this.presigner = presigner;
        this.clock = clock;
        this.finalizer = finalizer;
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

    /** What a create did: the STAGED release, the hashes it needs uploaded (in order) and the first page of their PUTs. */
    public record Staged(Release release, List<String> required, UploadUrls uploads) {
    }

    public Staged create(String appId, NewUpload request, Actor actor) {
        SortedMap<String, String> list = request.files();
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

        return new Staged(staged, required, uploads(app.id(), id, required, 0, UPLOADS_PAGE));
    }

    // ---- GET /apps/{appId}/releases/{releaseId}/uploads?cursor=

    /** The next page of upload URLs of a STAGED upload release (the create answer holds the first). */
    public UploadUrls uploads(String appId, String releaseId, String cursor, int limit) {
        Release r = release(appId, releaseId);
        if (r.status() != ReleaseStatus.STAGED || !SOURCE.equals(r.source())) {
            throw new DomainException(DomainError.RELEASE_ALREADY_FINAL, "Release " + r.id() + " is "
                    + (SOURCE.equals(r.source()) ? r.status() : "a built release") + "; it takes no uploads");
        }
        int from = 0;
        if (cursor != null) {
            try {
                from = Integer.parseInt(Cursors.decode(cursor));
            } catch (NumberFormatException e) {
                throw Cursors.invalid();
            }
        }
        List<String> required = required(r.appId(), r.id());
        if (from < 0 || from > required.size()) {
            throw Cursors.invalid();
        }
        return uploads(r.appId(), r.id(), required, from, limit);
    }

    /** The PUTs for required[from, from+limit), and the cursor of the rest. */
    private UploadUrls uploads(String appId, String releaseId, List<String> required, int from, int limit) {
        List<UploadUrls.Upload> uploads = new ArrayList<>();
        Instant expires = null;
        int to = Math.min(required.size(), from + limit);
        for (String sha : required.subList(from, to)) {
            PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(URL_LIFETIME)
                    .putObjectRequest(r -> r.bucket(files.bucket()).key(SiteKeys.upload(appId, sha))));
            Map<String, String> headers = new LinkedHashMap<>();
            put.signedHeaders().forEach((h, values) -> {
                if (!h.equalsIgnoreCase("host")) {
                    headers.put(h, String.join(",", values));
                }
            });
            uploads.add(new UploadUrls.Upload(sha, put.url().toString(), headers));
            expires = put.expiration();
        }
        return new UploadUrls(appId, releaseId, uploads, expires, to < required.size() ? Cursors.encode(Integer.toString(to)) : null);
    }

    // ---- POST /apps/{appId}/releases/{releaseId}/finalize

    /** A release and the app's production alias (to name the aliases pointing at it). */
    public record Read(Release release, Optional<Alias> production) {
    }

    /** The finalized release, and whether this call finalized it (false: it was READY already). */
    public record Finalized(Read release, boolean changed) {
    }

    public Finalized finalize(String appId, String releaseId, Actor actor) {
        Release r = release(appId, releaseId);
        if (r.status() == ReleaseStatus.READY) {
            return new Finalized(read(r), false);
        }
        if (r.status() == ReleaseStatus.FAILED || r.status().removal() || !SOURCE.equals(r.source())) {
            throw new DomainException(DomainError.RELEASE_ALREADY_FINAL, "Release " + r.id() + " is "
                    + (SOURCE.equals(r.source()) ? r.status() : "a built release, not an upload") + "; it cannot be finalized");
        }
        Release ready = finalizer.finalizeStaged(r, actor);
        return new Finalized(read(ready), true);
    }

    // ---- GET /apps/{appId}/releases/{releaseId}

    public Read get(String appId, String releaseId) {
        return read(release(appId, releaseId));
    }

    private Read read(Release r) {
        return new Read(r, aliases.get(r.appId(), Alias.PRODUCTION));
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
}
