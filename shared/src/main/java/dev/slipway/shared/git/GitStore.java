package dev.slipway.shared.git;

import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import software.amazon.awssdk.services.s3.S3Client;
import org.eclipse.jgit.internal.storage.dfs.DfsGarbageCollector;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase.PackSource;
import org.eclipse.jgit.internal.storage.dfs.DfsPackCompactor;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The git store: one repository per app, packs in S3, refs and the pack list in DynamoDB
 * ({@link S3DfsRepository}). Clients are shared; repositories are opened per call.
 */
public final class GitStore {
    private static final Logger LOG = LoggerFactory.getLogger(GitStore.class);
    /** Every import adds a pack; past this many, they are merged so reads stay a few requests. */
    public static final int COMPACT_AT_PACKS = 16;
    /** At most this many packs per compaction: their list changes in one DynamoDB transaction. */
    static final int COMPACT_MAX_PACKS = 64;
    private final S3Client s3;
    private final String bucket;
    private final GitTable table;

    public GitStore(S3Client s3, String bucket, GitTable table) {
        this.s3 = s3;
        this.bucket = bucket;
        this.table = table;
    }

    public GitTable table() {
        return table;
    }

    public S3DfsRepository open(String appId) {
        try {
            return S3DfsRepository.open(appId, s3, bucket, table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Merges the repository's packs into one when there are {@value #COMPACT_AT_PACKS} or more. The
     * new pack is listed and the old ones unlisted in one transaction; the old files stay in S3 so
     * that a reader holding the old list still finds them. Best effort: a failure costs only speed.
     *
     * @return the number of packs merged (0 when nothing was done)
     */
    public int compactIfFragmented(S3DfsRepository repo) {
        try {
            repo.scanForRepoChanges();
            var packs = repo.getObjectDatabase().getPacks();
            if (packs.length < COMPACT_AT_PACKS) {
                return 0;
            }
            var compactor = new DfsPackCompactor(repo);
            int n = 0;
            for (var pack : packs) {
                if (n == COMPACT_MAX_PACKS) {
                    break;
                }
                compactor.add(pack);
                n++;
            }
            compactor.compact(NullProgressMonitor.INSTANCE);
            LOG.info("compacted {} packs of {} into {}", n, repo.appId(), compactor.getNewPacks().size());
            return n;
        } catch (IOException | RuntimeException e) {
            LOG.warn("compacting the packs of {} failed; they stay as they are", repo.appId(), e);
            return 0;
        }
    }

    /** Below this many objects a clone packs them afresh quickly enough: no GC pack is made. */
    static final long GC_AT_OBJECTS = 1_000;
    /** With a GC pack, this many newer packs make the next full clone pack again. */
    static final int GC_AT_NEWER_PACKS = 8;
    /**
     * Above this many objects a GC would not fit in a request (API Gateway's 30 s; ~2.5 s per 4,000
     * objects measured here), and such a clone is past one answer's 4.5 MB anyway: it takes the bundle.
     */
    static final long GC_MAX_OBJECTS_IN_REQUEST = 40_000;

    /**
     * Before a full clone: makes sure the repository has a GC pack with a bitmap index, which
     * {@code UploadPack} streams as it is (as C git's pack-objects reuses its packs), instead of
     * counting and copying every object of every pack on each clone. Done when there is no GC pack
     * and the repository has {@value #GC_AT_OBJECTS} objects or more, or when
     * {@value #GC_AT_NEWER_PACKS} packs came after it. The replaced packs are unlisted in the same
     * transaction and stay in S3 for readers holding the old list. Best effort: a failure costs
     * only speed.
     *
     * @return whether a GC pack was written
     */
    public boolean packForClones(S3DfsRepository repo) {
        try {
            repo.scanForRepoChanges();
            var packs = repo.getObjectDatabase().getPacks();
            boolean hasGc = false;
            int newer = 0;
            for (var pack : packs) {
                var source = pack.getPackDescription().getPackSource();
                if (source == PackSource.GC) {
                    hasGc = true;
                } else if (source != PackSource.GC_REST
                        && source != PackSource.UNREACHABLE_GARBAGE) {
                    newer++;
                }
            }
            long objects = repo.getObjectDatabase().getApproximateObjectCount();
            if ((hasGc ? newer < GC_AT_NEWER_PACKS : objects < GC_AT_OBJECTS) || objects > GC_MAX_OBJECTS_IN_REQUEST) {
                return false;
            }
            long start = System.nanoTime();
            boolean done = new DfsGarbageCollector(repo).pack(NullProgressMonitor.INSTANCE);
            LOG.info("packed {} for clones ({} packs before) in {} ms", repo.appId(), packs.length, (System.nanoTime() - start) / 1_000_000);
            return done;
        } catch (IOException | RuntimeException e) {
            LOG.warn("packing {} for clones failed; clones pack afresh", repo.appId(), e);
            return false;
        }
    }

    /** A pack a compaction or GC replaced: its name, its files (name → bytes) and when it was replaced. */
    public record RetiredPack(String name, Map<String, Long> files, Instant retiredAt) {
    }

    /** The apps with retired packs. */
    public List<String> appsWithRetiredPacks() {
        return table.partition(GitItem.RETIRED_INDEX).stream().map(GitItem::getName).toList();
    }

    /** An app's retired packs, oldest first. */
    public List<RetiredPack> retiredPacks(String appId) {
        return table.items(appId, GitItem.RETIRED).stream()
                .map(i -> new RetiredPack(i.getName().substring(GitItem.RETIRED.length()),
                        i.getFiles() == null ? Map.of() : i.getFiles(), Instant.ofEpochMilli(i.getLastModified() == null ? 0 : i.getLastModified())))
                .sorted(java.util.Comparator.comparing(RetiredPack::retiredAt))
                .toList();
    }

    /**
     * Deletes the files of retired packs from S3, then their rows (a crash between the two leaves
     * rows whose files are gone; the next run deletes again, which S3 allows). {@code remaining} is how
     * many retired packs the app keeps: with none, its index row goes too.
     */
    public void deleteRetired(String appId, List<RetiredPack> packs, int remaining) {
        for (RetiredPack p : packs) {
            for (String file : p.files().keySet()) {
                s3.deleteObject(r -> r.bucket(bucket).key(S3DfsRepository.key(appId, file)));
            }
        }
        table.forgetRetired(appId, packs.stream().map(RetiredPack::name).toList(), remaining == 0);
    }

    /** A file of a tree to commit: its path in git and where its bytes are on disk. */
    public record TreeFile(String path, Path source, boolean executable) {
    }

    /**
     * Writes blobs and trees for {@code files} (objects git already has are not written again)
     * and returns the tree id. Nothing is visible to readers of refs until a ref moves.
     */
    public static ObjectId writeTree(ObjectInserter inserter, List<TreeFile> files) throws IOException {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        for (TreeFile f : files) {
            DirCacheEntry entry = new DirCacheEntry(f.path()); // refuses paths git cannot hold
            entry.setFileMode(f.executable() ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
            long size = Files.size(f.source());
            try (InputStream in = Files.newInputStream(f.source())) {
                entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, size, in));
            }
            entry.setLength(size);
            builder.add(entry);
        }
        builder.finish();
        return index.writeTree(inserter);
    }

    /** The commit a branch points at, if the branch exists. */
    public static Optional<ObjectId> branchHead(Repository repo, String branch) {
        try {
            Ref ref = repo.getRefDatabase().exactRef(Constants.R_HEADS + branch);
            return Optional.ofNullable(ref).map(Ref::getObjectId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Branch names: what git accepts, kept short and free of surprises in URLs. */
    public static String requireBranch(String branch) {
        String b = branch == null || branch.isEmpty() ? S3DfsRepository.DEFAULT_BRANCH : branch;
        if (b.length() > 100 || !b.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")
                || !Repository.isValidRefName(Constants.R_HEADS + b)) {
            throw new DomainException(DomainError.INVALID_QUERY,
                    "branch must be a valid git branch name of letters, digits, '.', '_', '-' and '/'");
        }
        return b;
    }
}
