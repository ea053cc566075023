package dev.slipway.shared.deploy.preview;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditHeads;
import dev.slipway.shared.deploy.BuildKey;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.alias.PreviewAlias;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.model.Preview;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Previews: {@code POST/GET /apps/{app}/previews}, {@code GET/PATCH/DELETE …/previews/{name}},
 * {@code POST …/{name}/token}, {@code POST …/{name}/promote}. A preview is a record (expiry,
 * protection) plus an alias ({@code preview:<name>}) that its deployments move ({@link PreviewAlias});
 * removal (delete, expiry) is {@link ExpiredPreviews}.
 */
public final class Previews {
    public static final int DEFAULT_TTL_HOURS = 72;
    public static final int MAX_TTL_HOURS = 720;
    /** How far ahead PATCH may set an expiry: any time, within reason. */
    static final long MAX_PATCH_DAYS = 3650;
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AppService apps;
    private final ReleaseStore releases;
    private final AliasStore aliases;
    private final PreviewStore previews;
    private final AuditHeads audit;
    private final AppEnvironment environment;
    private final ProductionAlias production;
    private final CommitSource sources;
    private final DeployService deploys;
    private final PreviewAlias alias;
    private final ExpiredPreviews removal;
    private final Clock clock;

    public Previews(AppService apps, DeployStores stores, CommitSource sources, DeployService deploys, AppEnvironment environment,
                    ProductionAlias production, PreviewAlias alias, ExpiredPreviews removal, Clock clock) {
        this.apps = apps;
        this.releases = stores.releases();
        this.aliases = stores.aliases();
        this.previews = stores.previews();
        this.audit = stores.audit();
        this.environment = environment;
        this.production = production;
        this.sources = sources;
        this.deploys = deploys;
        this.clock = clock;
        this.alias = alias;
        this.removal = removal;
    }

    /** What a create answered: the preview, its deployment, and the token when one was issued (shown once). */
    public record Created(Preview preview, Deployment deployment, String token) {
    }

    // ---- the API

    /** POST /apps/{app}/previews {ref, name?, ttlHours?, protected?}: deploys {@code ref} to the preview, creating it if new. */
    public Created create(String appId, NewPreview request, Actor actor) {
        String ref = request.ref();
        Optional<Boolean> protect = Optional.ofNullable(request.protect());
        App app = apps.get(appId);
        String name = request.name() != null ? request.name() : nameFromRef(ref);
        Optional<String> problem = nameProblem(app.id(), name)
                .map(why -> why + (request.name() == null ? " (derived from ref \"" + ref + "\"; give a name)" : ""));
        if (problem.isPresent()) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "/name " + problem.get(), List.of(new FieldError("/name", problem.get())));
        }
        // An unknown ref is the caller's mistake: refused before anything is written (the deployment builds this).
        CommitSource.Resolved source = sources.resolve(app.id(), ref);

        String deploymentId = deploys.newId();
        Instant expires = clock.instant().plus(Duration.ofHours(request.ttlHours() == null ? DEFAULT_TTL_HOURS : request.ttlHours()));
        String[] token = {null};
        Preview written = change(app.id(), name, actor, current -> {
            token[0] = null; // a lost attempt's token was never stored
            Instant now = clock.instant();
            Preview base = current.map(p -> p.next(now)).orElseGet(() ->
                    new Preview(app.id(), name, now, actor.id(), expires, false, null, null, ref, deploymentId, now, 1));
            Preview next = base.withExpiry(expires).withDeployment(ref, deploymentId);
            boolean wasProtected = current.map(Preview::isProtected).orElse(false);
            if (protect.orElse(false) && !wasProtected) {
                token[0] = newToken();
                next = next.withProtection(sha256(token[0]), now);
            } else if (protect.isPresent() && !protect.get()) {
                next = next.withProtection(null, null);
            }
            return next;
        }, current -> current.isEmpty() ? "preview.created" : "preview.deployed", false);
        alias.syncRouter(app.id(), name); // protection may have changed on a live preview
        Deployment d = deploys.startBuild(app, ref, source, DeployTarget.preview(name), actor, deploymentId);
        return new Created(written, d, token[0]);
    }

    /** What a promotion did: production moved to the preview's release, or a production build of its commit started. */
    public record Promotion(ProductionAlias.Change moved, Deployment rebuild, Release release) {
    }

    /**
     * POST …/previews/{name}/promote {rebuild?}: production moves to the release the preview serves,
     * without a build, when that release is what a production build of its commit would make (same
     * build key: production's scope has the values the preview was built with). Otherwise refused,
     * naming the variables whose values differ between the scopes, or rebuilt for production when asked.
     */
    public Promotion promote(String appId, String name, PreviewPromotion request, Actor actor) {
        App app = apps.get(appId);
        find(app.id(), name);
        Alias a = aliases.get(app.id(), Preview.aliasName(name)).orElseThrow(() -> new DomainException(
                DomainError.PREVIEW_NOT_DEPLOYED, "Preview " + name + " has no READY release yet; wait for its deployment"));
        Release r = releases.get(app.id(), a.releaseId()).orElseThrow(() -> new DomainException(
                DomainError.PREVIEW_NOT_DEPLOYED, "Preview " + name + " names release " + a.releaseId() + ", which is gone"));
        Map<String, String> prod = environment.values(app.id(), EnvScope.PRODUCTION);
        if (r.tree() == null || BuildKey.of(app, r.tree(), prod).equals(r.buildKey())) {
            return new Promotion(production.promote(app.id(), r.id(), actor), null, r);
        }
        if (request.rebuild()) {
            return new Promotion(null, deploys.startBuild(app, r.commit(), sources.resolve(app.id(), r.commit()), DeployTarget.PRODUCTION, actor,
                    deploys.newId()), r);
        }
        Map<String, String> preview = environment.values(app.id(), EnvScope.PREVIEW);
        SortedSet<String> differ = new TreeSet<>();
        differ.addAll(prod.keySet());
        differ.addAll(preview.keySet());
        differ.removeIf(n -> Objects.equals(prod.get(n), preview.get(n)));
        List<FieldError> errors = differ.stream().map(n -> new FieldError("/environment/" + n,
                !prod.containsKey(n) ? "preview only" : !preview.containsKey(n) ? "production only" : "values differ")).toList();
        String detail = differ.isEmpty()
                ? "Release " + r.id() + " was built with an environment or build settings that have changed since; promote with {\"rebuild\":true}"
                : "Release " + r.id() + " was built with the preview environment; these variables differ from production: "
                + String.join(", ", differ) + ". Promote with {\"rebuild\":true} to build commit " + r.commit() + " for production";
        throw new DomainException(DomainError.PREVIEW_ENVIRONMENT_DIFFERS, detail, errors);
    }

    public Preview get(String appId, String name) {
        String app = apps.get(appId).id();
        return find(app, name);
    }

    public PreviewStore.PreviewPage list(String appId, int limit, String cursor) {
        String app = apps.get(appId).id();
        String after = null;
        if (cursor != null) {
            after = Cursors.decode(cursor);
            if (!NAME.matcher(after).matches()) {
                throw Cursors.invalid();
            }
        }
        PreviewStore.PreviewPage page = previews.page(app, limit, after);
        return new PreviewStore.PreviewPage(page.items(), page.next() == null ? null : Cursors.encode(page.next()));
    }

    /** PATCH {expiresAt?, protected?}: any expiry (up to 10 years ahead); one in the past removes the preview at the next cleanup. */
    public Created update(String appId, String name, PreviewPatch patch, Actor actor) {
        Optional<Boolean> protect = Optional.ofNullable(patch.protect());
        String app = apps.get(appId).id();
        Instant expiry = patch.expiresAt();
        String[] token = {null};
        Preview written = change(app, name, actor, current -> {
            token[0] = null; // a lost attempt's token was never stored
            Preview p = current.orElseThrow(() -> notFound(app, name)).next(clock.instant());
            if (expiry != null) {
                p = p.withExpiry(expiry);
            }
            if (protect.isPresent() && protect.get() != p.isProtected()) {
                token[0] = protect.get() ? newToken() : null;
                p = p.withProtection(token[0] == null ? null : sha256(token[0]), clock.instant());
            }
            return p;
        }, current -> "preview.updated", true);
        alias.syncRouter(app, name);
        return new Created(written, null, token[0]);
    }

    /** POST …/token: a new token; the old one stops working at the edge now. Protects the preview if it was public. */
    public Created rotateToken(String appId, String name, Actor actor) {
        String app = apps.get(appId).id();
        String token = newToken();
        Preview written = change(app, name, actor, current -> current.orElseThrow(() -> notFound(app, name))
                .next(clock.instant()).withProtection(sha256(token), clock.instant()), current -> "preview.token-issued", true);
        alias.syncRouter(app, name);
        return new Created(written, null, token);
    }

    /** DELETE: the preview and its alias go now; its files when the cleanup finds nothing else uses them. */
    public boolean delete(String appId, String name, Actor actor) {
        String app = apps.get(appId).id();
        try {
            removal.remove(find(app, name), actor, "preview.deleted");
        } catch (WriteConflict e) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "Preview " + name + " changed while this request ran; retry");
        }
        boolean routed = alias.syncRouter(app, name);
        removal.tearDown(app, name);
        return routed;
    }

    // ---- with their aliases

    /** A preview and the alias its deployments moved (empty while its first deployment runs). */
    public record Live(Preview preview, Optional<Alias> alias) {
    }

    public Live withAlias(Preview p) {
        return new Live(p, aliases.get(p.appId(), p.aliasName()));
    }

    /** A page of one app's previews with their aliases, read in one batch. */
    public List<Live> withAliases(String appId, List<Preview> page) {
        Map<String, Alias> found = aliases.getAll(appId, page.stream().map(Preview::aliasName).toList());
        return page.stream().map(p -> new Live(p, Optional.ofNullable(found.get(p.aliasName())))).toList();
    }

    // ---- names

    /** Why {@code name} cannot name a preview of {@code appId}, or empty when it can. */
    public static Optional<String> nameProblem(String appId, String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("--")) {
            return Optional.of("must be a slug: 1 to 40 of a-z, 0-9 and single dashes, not starting or ending with a dash");
        }
        if (SiteAddress.isReleaseId(name)) {
            return Optional.of("looks like a release id; release hosts use those");
        }
        if (name.length() + 2 + appId.length() > 63) {
            return Optional.of("makes the host label \"" + name + "--" + appId + "\" longer than 63 characters; use at most "
                    + (61 - appId.length()) + " characters");
        }
        return Optional.empty();
    }

    /** {@code feature/Login-Form} → {@code feature-login-form}; a commit SHA → its first 12 characters. */
    public static String nameFromRef(String ref) {
        String s = ref.toLowerCase(Locale.ROOT);
        if (s.matches("[0-9a-f]{40}")) {
            return s.substring(0, 12);
        }
        s = s.replaceFirst("^refs/heads/", "").replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) {
            s = s.substring(0, 40).replaceAll("-+$", "");
        }
        return s;
    }

    // ---- plumbing

    private interface Change {
        Preview next(Optional<Preview> current);
    }

    private interface Action {
        String of(Optional<Preview> current);
    }

    /**
     * One compare-and-set of the preview record with its audit event; a lost race is retried on what
     * won it, except a creation that another request's creation beat: exactly one creation wins (and
     * shows its token), the others are refused with {@code PREVIEW_EXISTS}.
     */
    private Preview change(String appId, String name, Actor actor, Change change, Action action, boolean mustExist) {
        if (mustExist) {
            find(appId, name); // a name no preview can have is a 404 before any key is built from it
        }
        boolean lostCreation = false;
        for (int attempt = 0; ; attempt++) {
            Optional<Preview> current = previews.get(appId, name);
            if (mustExist && current.isEmpty()) {
                throw notFound(appId, name);
            }
            if (lostCreation && current.isPresent()) {
                throw new DomainException(DomainError.PREVIEW_EXISTS, "Preview " + name + " was created by another request while this one ran;"
                        + " that request started its deployment (and got its token if it is protected). POST again to deploy to it,"
                        + " or POST /apps/" + appId + "/previews/" + name + "/token for a new token");
            }
            Preview next = change.next(current);
            AuditEvent event = AuditEvent.next(audit.head(appId), appId, clock.instant(), actor, action.of(current),
                    "preview/" + name, current.<JsonNode>map(Preview::audited).orElse(null), next.audited());
            try {
                previews.put(next, current.map(Preview::version).orElse(0L), event);
                return next;
            } catch (WriteConflict e) {
                if (attempt >= 10) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "Preview " + name + " changed while this request ran; retry");
                }
                lostCreation = current.isEmpty();
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }

    private Preview find(String appId, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw notFound(appId, name == null ? "" : name.length() > 40 ? name.substring(0, 40) + "…" : name);
        }
        return previews.get(appId, name).orElseThrow(() -> notFound(appId, name));
    }

    private static DomainException notFound(String appId, String name) {
        return new DomainException(DomainError.PREVIEW_NOT_FOUND, "App " + appId + " has no preview \"" + name + "\"");
    }

    /** 32 random bytes, base64url: what a visitor shows at the edge. */
    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String sha256(String token) {
        return ReleaseFiles.hex("SHA-256", token.getBytes(StandardCharsets.US_ASCII));
    }
}
