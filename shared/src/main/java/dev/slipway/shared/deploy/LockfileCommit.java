package dev.slipway.shared.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The lockfile a deployment's build installed from, when it differs from its commit's, committed on the branch
 * the deployment built — the owner's choice ({@code POST /apps/{appId}/deployments/{deploymentId}/lockfile-commit}),
 * never automatic: a build whose commit had no lockfile hands back the one its install wrote, and ExportSource
 * keeps the lockfile whose foreign registry URLs it pointed at the configured registry ({@link SiteKeys#buildLockfile}).
 * The commit's only parent is the deployment's commit, which must still be the branch's head (the lockfile belongs
 * to that package.json); the ref moves by compare-and-set with its audit event ({@code lockfile.committed}) in one
 * transaction.
 */
public final class LockfileCommit {
    /** Root files a lockfile commit may write: the package managers' lockfiles and nothing else. */
    static final Set<String> NAMES = Set.of("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock",
            "bun.lock", "bun.lockb");
    static final long MAX_BYTES = 50L << 20;
    private static final int MAX_ATTEMPTS = 5;

    private final DeploymentStore deployments;
    private final GitStore git;
    private final S3Client s3;
    private final String bucket;
    private final AuditLedger ledger;
    private final DynamoDbEnhancedClient dynamo;
    private final Clock clock;

    public LockfileCommit(DeploymentStore deployments, GitStore git, S3Client s3, String bucket, AuditLedger ledger,
                          DynamoDbEnhancedClient dynamo, Clock clock) {
        this.deployments = deployments;
        this.git = git;
        this.s3 = s3;
        this.bucket = bucket;
        this.ledger = ledger;
        this.dynamo = dynamo;
        this.clock = clock;
    }

    /**
     * One lockfile a deployment offers: its name, size and SHA-256, and how it differs from the commit's —
     * {@code written} (the commit had none: the install wrote it) or {@code mapped} (registry URLs pointed at the
     * configured registry).
     */
    public record OfferedFile(String name, long bytes, String sha256, String change) {
    }

    /** What a deployment offers to commit: its commit, branch and files (404 {@code lockfile-not-found} if none). */
    public record Offer(String deploymentId, String commit, String branch, List<OfferedFile> files) {
    }

    public Offer offer(String appId, String deploymentId) {
        Deployment d = deployments.get(appId, deploymentId)
                .orElseThrow(() -> new DomainException(DomainError.DEPLOYMENT_NOT_FOUND, "No deployment " + deploymentId + " in " + appId));
        Map<String, byte[]> files = stored(appId, deploymentId);
        if (d.commit() == null || files.isEmpty()) {
            throw new DomainException(DomainError.LOCKFILE_NOT_FOUND, "Deployment " + deploymentId
                    + "'s build installed from its commit's own lockfile (or has not installed yet)");
        }
        List<OfferedFile> out = new ArrayList<>();
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(d.commit()));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                boolean inCommit = org.eclipse.jgit.treewalk.TreeWalk.forPath(repo, f.getKey(), c.getTree()) != null;
                out.add(new OfferedFile(f.getKey(), f.getValue().length, sha256(f.getValue()), inCommit ? "mapped" : "written"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Offer(deploymentId, d.commit(), d.ref() == null ? "main" : d.ref(), out);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What was committed: the new commit, its parent (the deployment's commit), the branch and the files. */
    public record Result(String commit, String parent, String branch, List<String> files) {
    }

    /** One zip entry per lockfile: what ExportSource and the builds store under {@link SiteKeys#buildLockfile}. */
    public static byte[] zip(Map<String, byte[]> lockfiles) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : new TreeMap<>(lockfiles).entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public Result commit(String appId, String deploymentId, Actor actor) {
        Deployment d = deployments.get(appId, deploymentId)
                .orElseThrow(() -> new DomainException(DomainError.DEPLOYMENT_NOT_FOUND, "No deployment " + deploymentId + " in " + appId));
        Map<String, byte[]> files = stored(appId, deploymentId);
        if (d.commit() == null || files.isEmpty()) {
            throw new DomainException(DomainError.NO_LOCKFILE_TO_COMMIT, "Deployment " + deploymentId
                    + "'s build installed from its commit's own lockfile: there is nothing to commit");
        }
        String branch = d.ref() == null ? "main" : d.ref();
        try (S3DfsRepository repo = git.open(appId); ObjectInserter inserter = repo.newObjectInserter();
             ObjectReader reader = inserter.newReader(); RevWalk walk = new RevWalk(reader)) {
            for (int attempt = 1; ; attempt++) {
                repo.scanForRepoChanges();
                ObjectId head = GitStore.branchHead(repo, branch).orElse(null);
                if (head == null || !head.name().equals(d.commit())) {
                    throw new DomainException(DomainError.BRANCH_MOVED, (head == null ? "Deployment " + deploymentId
                            + " built " + branch + ", which is not a branch (any more)" : "Branch " + branch + " is at "
                            + head.name() + ", no longer at " + d.commit()) + ": the lockfile belongs to that commit's"
                            + " package.json; deploy " + branch + " again and commit that deployment's lockfile");
                }
                RevCommit parent = walk.parseCommit(head);
                ObjectId tree = treeWith(reader, inserter, parent.getTree(), files);
                if (tree.equals(parent.getTree().getId())) {
                    throw new DomainException(DomainError.NO_LOCKFILE_TO_COMMIT, "Branch " + branch
                            + " already holds this lockfile");
                }
                Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                List<String> names = new ArrayList<>(files.keySet());
                ObjectId commitId = insertCommit(inserter, parent, tree, names, deploymentId, actor, now);
                ObjectNode before = Json.object();
                before.put("commit", head.name());
                ObjectNode after = Json.object();
                after.put("commit", commitId.name());
                after.put("branch", branch);
                after.put("deploymentId", deploymentId);
                var list = after.putArray("files");
                names.forEach(list::add);
                AuditEvent event = AuditEvent.next(ledger.head(appId), appId, now, actor, "lockfile.committed",
                        "app/" + appId + "/branch/" + branch, before, after);
                var tx = TransactWriteItemsEnhancedRequest.builder();
                List<WriteConflict.Part> parts = new ArrayList<>(ledger.appendTo(tx, event));
                parts.add(git.table().addRefMove(tx, appId, Constants.R_HEADS + branch, head, commitId));
                try {
                    Transactions.write(dynamo, tx.build(), parts);
                    return new Result(commitId.name(), head.name(), branch, names);
                } catch (WriteConflict e) {
                    if (e.part() != WriteConflict.Part.REF && attempt < MAX_ATTEMPTS) {
                        Transactions.pauseAfterConflict(attempt); // another change took the audit head first
                        continue;
                    }
                    throw new DomainException(e.part() == WriteConflict.Part.REF ? DomainError.BRANCH_MOVED
                            : DomainError.CONCURRENT_MODIFICATION, "Branch " + branch + " of " + appId
                            + " moved while the lockfile was committed; deploy it again");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stored lockfiles (name → bytes), root lockfile names only, each at most {@link #MAX_BYTES}; empty if none. */
    private Map<String, byte[]> stored(String appId, String deploymentId) {
        Map<String, byte[]> out = new TreeMap<>();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket)
                .key(SiteKeys.buildLockfile(appId, deploymentId)));
             ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                // written by the build, which runs the app's code: only lockfile names, bounded
                if (e.isDirectory() || !NAMES.contains(e.getName())) {
                    continue;
                }
                byte[] bytes = zip.readNBytes((int) MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    continue;
                }
                out.put(e.getName(), bytes);
            }
        } catch (NoSuchKeyException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static ObjectId treeWith(ObjectReader reader, ObjectInserter inserter, org.eclipse.jgit.revwalk.RevTree base,
                                     Map<String, byte[]> files) throws IOException {
        DirCache dc = DirCache.newInCore();
        DirCacheBuilder b = dc.builder();
        b.addTree(new byte[0], 0, reader, base);
        b.finish();
        DirCacheEditor editor = dc.editor();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, f.getValue());
            editor.add(new DirCacheEditor.PathEdit(f.getKey()) {
                @Override
                public void apply(DirCacheEntry ent) {
                    ent.setFileMode(FileMode.REGULAR_FILE);
                    ent.setObjectId(blob);
                }
            });
        }
        editor.finish();
        return dc.writeTree(inserter);
    }

    private static ObjectId insertCommit(ObjectInserter inserter, RevCommit parent, ObjectId tree, List<String> names,
                                         String deploymentId, Actor actor, Instant now) throws IOException {
        CommitBuilder c = new CommitBuilder();
        c.setTreeId(tree);
        c.setParentId(parent);
        c.setAuthor(new PersonIdent(actor.id(), actor.id() + "@users.slipway.invalid", now, ZoneOffset.UTC));
        c.setCommitter(new PersonIdent("Slipway", "lockfile@slipway.invalid", now, ZoneOffset.UTC));
        c.setMessage("Lockfile of deployment " + deploymentId + ": " + String.join(", ", names) + "\n\n"
                + "The lockfile this deployment's build installed from (written by its install, or with its registry"
                + " URLs pointed at the configured registry), committed by " + actor.id() + ".\n");
        c.setEncoding(StandardCharsets.UTF_8);
        ObjectId id = inserter.insert(c);
        inserter.flush();
        return id;
    }
}
