package dev.slipway.shared.imports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.imports.detect.Detection;
import dev.slipway.shared.imports.detect.FrameworkDetector;
import dev.slipway.shared.imports.findings.Finding;
import dev.slipway.shared.imports.scan.EnvFile;
import dev.slipway.shared.imports.scan.SecretScanner;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.imports.tree.ZipImport;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.TransactionPart;
import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * A builder export becomes the next commit of the app's branch: extracted safely, secrets taken
 * out (.env files into the encrypted app environment, hard-coded ones reported), the framework
 * detected, then one commit whose ref move, app update and audit event share one transaction.
 * An identical tree makes no commit. Concurrent imports retry on the new head, so none is lost.
 */
public final class ImportService {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);
    // Each losing attempt means another import landed; 20 covers 10+ concurrent imports plus
    // transaction conflicts in which nobody wins.
    private static final int MAX_ATTEMPTS = 20;
    /** Inline zips: what fits in a Lambda invocation (6 MB) once API Gateway base64-encodes it. */
    public static final int MAX_INLINE_BYTES = 4 * 1024 * 1024;

    private final AppStore apps;
    private final GitStore git;
    private final AppEnvironment environment;
    private final Clock clock;
    private final Path tempParent;
    private final String stackRegistry;
    private final ImportLimits limits;
    private final UploadService uploads;
    private final GitUrlImport gitUrls;

    public ImportService(AppStore apps, GitStore git, AppEnvironment environment, UploadService uploads,
                         GitUrlImport gitUrls, Clock clock, Path tempParent, ImportLimits limits) {
        this(apps, git, environment, uploads, gitUrls, clock, tempParent, limits, null);
    }

    /** @param stackRegistry the stack's npm registry (NPM_REGISTRY_URL; null: the public one), unless the app names its own */
    public ImportService(AppStore apps, GitStore git, AppEnvironment environment, UploadService uploads,
                         GitUrlImport gitUrls, Clock clock, Path tempParent, ImportLimits limits, String stackRegistry) {
        this.stackRegistry = stackRegistry;
        this.apps = apps;
        this.git = git;
        this.environment = environment;
        this.uploads = uploads;
        this.gitUrls = gitUrls;
        this.clock = clock;
        this.tempParent = tempParent;
        this.limits = limits;
    }

    /** Where an import came from, for the commit message and the audit trail (never with credentials). */
    public record Source(String kind, String label, GitUrlImport.Origin origin) {
        public Source(String kind, String label) {
            this(kind, label, null);
        }
    }

    /** The app, or the same 404 (and 400 for a bad id) as {@code GET /apps/{appId}}. */
    public App requireApp(String appId) {
        return new AppService(apps, clock).get(appId);
    }

    /**
     * A zip sent as the request body: refused beyond {@link #MAX_INLINE_BYTES}, otherwise written
     * to a temp file (removed afterwards) and imported as {@link #importZip} does.
     */
    public ImportResult importInlineZip(String appId, String branch, byte[] zip, String name, Actor actor) {
        if (zip.length > MAX_INLINE_BYTES) {
            throw new DomainException(DomainError.INLINE_IMPORT_TOO_LARGE, "Inline zips are limited to "
                    + MAX_INLINE_BYTES + " bytes; create an upload with POST /apps/" + appId + "/uploads");
        }
        Path file = null;
        try {
            file = Files.createTempFile(tempParent, "slipway-inline-", ".zip");
            Files.write(file, zip);
            return importZip(appId, branch, file, new Source("zip", name), actor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // under the import temp folder
                }
            }
        }
    }

    public ImportResult importZip(String appId, String branch, Path zipFile, Source source, Actor actor) {
        requireApp(appId);
        String b = GitStore.requireBranch(branch);
        Timings t = new Timings();
        try (ImportTree tree = ZipImport.extract(zipFile, tempParent, limits)) {
            t.mark("extract");
            return importTree(appId, b, tree, source, actor, List.of(), t);
        }
    }

    public ImportResult importUpload(String appId, String branch, String uploadId, Actor actor) {
        requireApp(appId);
        String b = GitStore.requireBranch(branch);
        Timings t = new Timings();
        try (UploadService.Received upload = uploads.receive(appId, uploadId, tempParent);
             ImportTree tree = t.mark("download", () -> ZipImport.extract(upload.file(), tempParent, limits))) {
            t.mark("extract");
            return importTree(appId, b, tree, new Source("upload", upload.name()), actor, List.of(), t);
        }
    }

    public ImportResult importGit(String appId, String branch, String gitUrl, String ref, Actor actor) {
        return importGit(appId, branch, gitUrl, ref, actor, false);
    }

    /**
     * @param keepAuthorAndMessage the commit gets the fetched commit's author and message (GitHub sync:
     *     the history shows who changed what on GitHub), with its SHA as a {@code Git-Commit:} trailer
     */
    public ImportResult importGit(String appId, String branch, String gitUrl, String ref, Actor actor, boolean keepAuthorAndMessage) {
        requireApp(appId);
        String b = GitStore.requireBranch(branch);
        Timings t = new Timings();
        GitUrlImport.Fetched fetched = gitUrls.fetch(gitUrl, ref, tempParent, limits);
        try (ImportTree tree = fetched.tree()) {
            t.mark("fetch+extract");
            return importTree(appId, b, tree, new Source("git", fetched.label(), keepAuthorAndMessage ? fetched.origin() : null), actor,
                    fetched.findings(), t);
        }
    }

    public ImportResult importTree(String appId, String branch, ImportTree tree, Source source, Actor actor,
                                   List<Finding> sourceFindings) {
        return importTree(appId, branch, tree, source, actor, sourceFindings, new Timings());
    }

    private ImportResult importTree(String appId, String branch, ImportTree tree, Source source, Actor actor,
                                    List<Finding> sourceFindings, Timings t) {
        String importId = Ulid.next(clock.instant());
        List<Finding> findings = new ArrayList<>(sourceFindings);
        Map<String, String> variables = environmentFrom(tree, findings);
        // Foreign-registry findings judge against the registry this app's builds will use.
        String registry = apps.get(appId).map(a -> a.build() == null ? null : a.build().registry())
                .filter(r -> r != null && !r.isBlank()).orElse(stackRegistry);
        Detection detection = FrameworkDetector.detect(tree.root(), registry);
        findings.addAll(detection.findings());
        t.mark("detect");

        // Nothing below rejects an import: the tree passed every rule while it was extracted.
        environment.putAll(appId, variables);
        // One inserter for blobs, trees and the commit, so an import writes one pack; its reader
        // sees the objects not yet flushed.
        try (S3DfsRepository repo = git.open(appId); ObjectInserter inserter = repo.newObjectInserter();
             ObjectReader reader = inserter.newReader()) {
            List<GitStore.TreeFile> files = tree.files().stream()
                    .map(f -> new GitStore.TreeFile(f.path(), tree.root().resolve(f.path()), f.executable()))
                    .toList();
            ObjectId treeId = GitStore.writeTree(inserter, files);
            t.mark("objects");
            // Hard-coded secrets are looked for in what this import adds or changes: what was there
            // before was reported (and audited) by the import that brought it.
            repo.scanForRepoChanges();
            TreeDiff diff = TreeDiff.of(repo, reader, GitStore.branchHead(repo, branch).orElse(null), treeId);
            findings.addAll(new SecretScanner().scan(tree.root(), diff.addedOrChanged()));
            t.mark("scan");
            ImportResult result = commit(repo, inserter, reader, diff, appId, branch, treeId, importId, source, actor,
                    detection, findings, List.copyOf(variables.keySet()), tree.skipped());
            t.mark("commit");
            if (result.created()) {
                git.compactIfFragmented(repo);
                t.mark("compact");
            }
            LOG.info("import {} of {}: {} files, {} ({})", importId, appId, files.size(),
                    result.created() ? "commit " + result.commit() : "unchanged", t);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one attempt writes: the app, its audit event, more writes for the same transaction, the answer. */
    private record Attempt(App updated, AuditEvent event, TransactionPart extra, ImportResult result,
                           String conflictDetail) {
    }

    private ImportResult commit(S3DfsRepository repo, ObjectInserter inserter, ObjectReader reader, TreeDiff scanned,
                                String appId, String branch, ObjectId treeId, String importId,
                                Source source, Actor actor, Detection detection, List<Finding> findings,
                                List<String> variableNames, List<String> skipped) throws IOException {
        TreeDiff diff = scanned;
        for (int attempt = 1; ; attempt++) {
            // Refs and the pack list both: the head may be a commit another import just packed.
            repo.scanForRepoChanges();
            ObjectId head = GitStore.branchHead(repo, branch).orElse(null);
            App app = requireApp(appId);
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            RevCommit headCommit = null;
            if (head != null) {
                try (RevWalk walk = new RevWalk(reader)) {
                    headCommit = walk.parseCommit(head);
                }
            }
            Attempt a;
            if (headCommit != null && headCommit.getTree().getId().equals(treeId)) {
                ImportResult unchanged = result(importId, head,
                        headCommit.getParentCount() > 0 ? headCommit.getParent(0) : null, branch, new int[3], app,
                        detection, findings, variableNames, skipped, false);
                if (variableNames.isEmpty()) {
                    return unchanged;
                }
                // No commit, but the .env files may have changed values: that change is audited.
                ObjectNode env = Json.object();
                env.put("importId", importId);
                env.put("commit", head.name());
                ArrayNode names = env.putArray("environmentVariables");
                variableNames.forEach(names::add);
                AuditEvent event = AuditEvent.next(apps.auditHead(appId), appId, now, actor,
                        "environment.updated", "app/" + appId + "/environment", null, env);
                a = new Attempt(app.withDetection(app.framework(), app.detected(), now), event, TransactionPart.NONE,
                        unchanged, "App " + appId + " kept changing while this import ran; retry it");
            } else {
                if (!Objects.equals(diff.head(), head)) {
                    diff = TreeDiff.of(repo, reader, head, treeId); // another import moved the branch
                }
                a = newCommit(inserter, app, head, diff, appId, branch, treeId, importId, now, source, actor,
                        detection, findings, variableNames, skipped);
            }
            try {
                apps.replace(a.updated(), app.version(), a.event(), a.extra());
                return a.result();
            } catch (WriteConflict e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new DomainException(DomainError.CONCURRENT_MODIFICATION, a.conflictDetail());
                }
                // Another import (or an app change) won; try again on the new head.
                sleepJitter(attempt);
            }
        }
    }

    private Attempt newCommit(ObjectInserter inserter, App app, ObjectId head, TreeDiff diff, String appId,
                              String branch, ObjectId treeId, String importId, Instant now, Source source, Actor actor,
                              Detection detection, List<Finding> findings, List<String> variableNames,
                              List<String> skipped) throws IOException {
        int[] counts = {diff.added(), diff.changed(), diff.removed()};
        CommitBuilder c = new CommitBuilder();
        c.setTreeId(treeId);
        if (head != null) {
            c.setParentId(head);
        }
        GitUrlImport.Origin origin = source.origin();
        PersonIdent who = origin == null
                ? new PersonIdent(actor.id(), actor.id() + "@users.slipway.invalid", now, ZoneOffset.UTC)
                : new PersonIdent(origin.authorName(), origin.authorEmail(), origin.authorTime(), ZoneOffset.UTC);
        c.setAuthor(who);
        c.setCommitter(new PersonIdent("Slipway", "import@slipway.invalid", now, ZoneOffset.UTC));
        String imported = message(source, detection, counts, importId, actor, skipped, variableNames);
        // Synced: the author's own message first, then what the import did, and the fetched SHA as a trailer.
        c.setMessage(origin == null ? imported
                : origin.message().strip() + "\n\n" + imported + "Git-Commit: " + origin.sha() + "\n");
        c.setEncoding(StandardCharsets.UTF_8);
        ObjectId commitId = inserter.insert(c);
        inserter.flush(); // the import's one pack: its blobs, trees and this commit

        App updated = app.withDetection(detection.framework(), detection.build(), now);
        ObjectNode after = Json.object();
        after.put("importId", importId);
        after.put("commit", commitId.name());
        after.put("parent", head == null ? null : head.name());
        after.put("branch", branch);
        after.put("source", source.kind());
        after.put("from", source.label());
        after.put("filesAdded", counts[0]);
        after.put("filesChanged", counts[1]);
        after.put("filesRemoved", counts[2]);
        after.put("framework", detection.framework());
        after.set("findings", Json.MAPPER.valueToTree(findings));
        ArrayNode names = after.putArray("environmentVariables");
        variableNames.forEach(names::add);
        ObjectNode before = Json.object();
        before.put("commit", head == null ? null : head.name());
        AuditEvent event = AuditEvent.next(apps.auditHead(appId), appId, now, actor, "import.committed",
                "app/" + appId + "/branch/" + branch, before, after);
        return new Attempt(updated, event,
                tx -> List.of(git.table().addRefMove(tx, appId, Constants.R_HEADS + branch, head, commitId)),
                result(importId, commitId, head, branch, counts, updated, detection, findings, variableNames,
                        skipped, true),
                "Branch " + branch + " of " + appId + " kept moving while this import ran; retry it");
    }

    private static ImportResult result(String importId, ObjectId commit, ObjectId parent, String branch, int[] counts,
                                       App app, Detection detection, List<Finding> findings, List<String> variables,
                                       List<String> skipped, boolean created) {
        return new ImportResult(importId, commit.name(), parent == null ? null : parent.name(), branch,
                counts[0], counts[1], counts[2], detection.framework(), app.build().over(detection.build()),
                findings, variables, skipped, created);
    }

    /** .env files become environment variables; more specific files win (.env.local over .env). */
    private static Map<String, String> environmentFrom(ImportTree tree, List<Finding> findings) {
        Map<String, String> variables = new LinkedHashMap<>();
        tree.envFiles().entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, byte[]> e) -> e.getKey().contains("/"))
                        .thenComparing(e -> e.getKey().toLowerCase(Locale.ROOT).endsWith(".local"))
                        .thenComparing(Map.Entry::getKey))
                .forEach(e -> {
                    Map<String, String> parsed = EnvFile.parse(new String(e.getValue(), StandardCharsets.UTF_8));
                    variables.putAll(parsed);
                    findings.add(new Finding("env-file", Finding.WARNING, e.getKey(), null, null,
                            e.getKey() + " was kept out of git; its " + parsed.size() + " variable(s) "
                                    + String.join(", ", parsed.keySet())
                                    + " are stored encrypted as the app's environment variables"));
                });
        return variables;
    }

    /**
     * A new tree against the branch head it was compared with: the answer's counts and the paths
     * the secret scan reads, from one walk of the two trees.
     */
    private record TreeDiff(ObjectId head, int added, int changed, int removed, List<String> addedOrChanged) {
        static TreeDiff of(S3DfsRepository repo, ObjectReader reader, ObjectId head, ObjectId tree) throws IOException {
            int added = 0, changed = 0, removed = 0;
            List<String> paths = new ArrayList<>();
            try (TreeWalk walk = new TreeWalk(repo, reader); RevWalk revs = new RevWalk(reader)) {
                walk.setRecursive(true);
                if (head == null) {
                    walk.addTree(new EmptyTreeIterator());
                } else {
                    walk.addTree(revs.parseCommit(head).getTree());
                }
                walk.addTree(tree);
                walk.setFilter(TreeFilter.ANY_DIFF);
                for (DiffEntry d : DiffEntry.scan(walk)) {
                    switch (d.getChangeType()) {
                        case ADD -> added++;
                        case DELETE -> removed++;
                        default -> changed++;
                    }
                    if (d.getChangeType() != DiffEntry.ChangeType.DELETE) {
                        paths.add(d.getNewPath());
                    }
                }
            }
            return new TreeDiff(head, added, changed, removed, paths);
        }
    }

    private static String message(Source source, Detection detection, int[] counts, String importId, Actor actor,
                                  List<String> skipped, List<String> variables) {
        StringBuilder m = new StringBuilder();
        m.append("Import ").append(builderName(detection.framework())).append(" export from ")
                .append(source.kind()).append(' ').append(source.label()).append("\n\n");
        m.append("Imported by ").append(actor.id()).append(" through Slipway (import ").append(importId).append(").\n");
        m.append("Files: ").append(counts[0]).append(" added, ").append(counts[1]).append(" changed, ")
                .append(counts[2]).append(" removed.\n");
        if (!skipped.isEmpty()) {
            m.append("Left out: ").append(String.join(", ", skipped)).append(".\n");
        }
        if (!variables.isEmpty()) {
            m.append("Environment variables moved out of the tree: ").append(String.join(", ", variables)).append(".\n");
        }
        return m.toString();
    }

    static String builderName(String framework) {
        return switch (framework == null ? "" : framework) {
            case "lovable" -> "Lovable";
            case "bolt" -> "Bolt.new";
            case "vite" -> "Vite";
            case "create-react-app" -> "Create React App";
            case "nextjs", "nextjs-static" -> "Next.js";
            case "static" -> "static site";
            default -> "app";
        };
    }

    /** Where an import's time goes, for the log: a founder's "why is this slow" starts here. */
    private static final class Timings {
        private final StringBuilder phases = new StringBuilder();
        private long last = System.nanoTime();

        void mark(String phase) {
            long now = System.nanoTime();
            phases.append(phases.isEmpty() ? "" : " ").append(phase).append('=').append((now - last) / 1_000_000).append("ms");
            last = now;
        }

        <T> T mark(String phase, Supplier<T> step) {
            mark(phase);
            return step.get();
        }

        @Override
        public String toString() {
            return phases.toString();
        }
    }

    private static void sleepJitter(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
