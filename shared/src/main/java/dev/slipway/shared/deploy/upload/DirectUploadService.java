package dev.slipway.shared.deploy.upload;

import dev.slipway.shared.errors.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
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
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.json.Json;
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
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    private final ReleaseFinalizer finalizer;

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
        this.finalizer = new ReleaseFinalizer(stores, files, clock);
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
                from = Integer.parseInt(Cursors.decode(cursor));
            } catch (NumberFormatException e) {
                throw Cursors.invalid();
            }
        }
        List<String> required = required(r.appId(), r.id());
        if (from < 0 || from > required.size()) {
            throw Cursors.invalid();
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
            out.put("nextUploadsCursor", Cursors.encode(Integer.toString(to)));
            out.put("nextUploads", "/apps/" + appId + "/releases/" + releaseId + "/uploads?cursor=" + Cursors.encode(Integer.toString(to)));
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
        Release ready = finalizer.finalizeStaged(r, actor);
        return new Finalized(view(ready), true);
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

    private static DomainException invalid(String pointer, String detail) {
        return new DomainException(DomainError.VALIDATION_FAILED, pointer + ": " + detail,
                List.of(new FieldError(pointer, detail)));
    }

    private static String pointerEscape(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }


}
