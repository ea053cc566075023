package dev.slipway.shared.git;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.store.Cursors;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reading an app's history: commits of a branch with their diffstat, and the files of a commit. */
public final class CommitHistory {
    public static final int DEFAULT_COMMITS = 20;
    public static final int MAX_COMMITS = 100;
    public static final int DEFAULT_FILES = 1000;
    public static final int MAX_FILES = 5000;
    /** Counting lines of a commit that touches more files than this is skipped (files still counted). */
    static final int LINE_STAT_MAX_FILES = 2000;

    private final GitStore git;

    /** A page of a branch's commits, newest first; {@code nextCursor} is null on the last page. */
    public record CommitPage(String branch, List<CommitSummary> commits, String nextCursor) {
    }

    public record CommitSummary(String sha, List<String> parents, String message, String authorName,
                                String authorEmail, Instant time, Diffstat diffstat) {
    }

    /** Against the first parent; the line counts are null when the commit touches too many files to count them. */
    public record Diffstat(int filesAdded, int filesChanged, int filesRemoved, Long insertions, Long deletions) {
    }

    /** A page of a commit's files in path order; {@code nextCursor} is null on the last page. */
    public record FilePage(String commit, List<TreeFile> files, String nextCursor) {
    }

    /** {@code mode}: git's octal file mode, e.g. 100644. */
    public record TreeFile(String path, String mode, long size, String sha) {
    }

    public CommitHistory(GitStore git) {
        this.git = git;
    }

    /** Newest first; the cursor is the sha of the first commit of the next page. */
    public CommitPage commits(String appId, String branch, int limit, String cursor) {
        String b = GitStore.requireBranch(branch);
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = GitStore.branchHead(repo, b).orElse(null);
            if (head == null) {
                if (b.equals(S3DfsRepository.DEFAULT_BRANCH)) {
                    // Every app has a main branch; before its first import it is simply empty.
                    return new CommitPage(b, List.of(), null);
                }
                throw new DomainException(DomainError.BRANCH_NOT_FOUND, "App " + appId + " has no branch " + b);
            }
            RevCommit start;
            if (cursor == null) {
                start = walk.parseCommit(head);
            } else {
                if (!isSha(cursor)) {
                    throw Cursors.invalid();
                }
                try {
                    start = walk.parseCommit(ObjectId.fromString(cursor));
                } catch (MissingObjectException | IncorrectObjectTypeException e) {
                    throw Cursors.invalid(); // unknown, or a blob or tree rather than a commit
                }
            }
            walk.markStart(start);
            List<CommitSummary> items = new ArrayList<>();
            RevCommit c;
            String next = null;
            while ((c = walk.next()) != null) {
                if (items.size() == limit) {
                    next = c.name();
                    break;
                }
                items.add(view(repo, walk, c));
            }
            return new CommitPage(b, items, next);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CommitSummary view(S3DfsRepository repo, RevWalk walk, RevCommit c) throws IOException {
        List<String> parents = new ArrayList<>();
        for (RevCommit p : c.getParents()) {
            parents.add(p.name());
        }
        PersonIdent a = c.getAuthorIdent();
        return new CommitSummary(c.name(), parents, c.getFullMessage(), a.getName(), a.getEmailAddress(),
                a.getWhenAsInstant(), diffstat(repo, walk, c));
    }

    private static Diffstat diffstat(S3DfsRepository repo, RevWalk walk, RevCommit c) throws IOException {
        int added = 0, changed = 0, removed = 0;
        long insertions = 0, deletions = 0;
        try (DiffFormatter df = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            df.setRepository(repo);
            df.setDiffComparator(RawTextComparator.DEFAULT);
            df.setDetectRenames(false);
            RevCommit parent = c.getParentCount() == 0 ? null : c.getParent(0);
            if (parent != null) {
                walk.parseHeaders(parent); // the walk has read it already unless the page ends here
            }
            List<DiffEntry> entries = df.scan(parent == null ? null : parent.getTree(), c.getTree());
            boolean lines = entries.size() <= LINE_STAT_MAX_FILES;
            for (DiffEntry d : entries) {
                switch (d.getChangeType()) {
                    case ADD -> added++;
                    case DELETE -> removed++;
                    default -> changed++;
                }
                if (lines) {
                    for (Edit e : df.toFileHeader(d).toEditList()) {
                        insertions += e.getLengthB();
                        deletions += e.getLengthA();
                    }
                }
            }
            return lines
                    ? new Diffstat(added, changed, removed, insertions, deletions)
                    : new Diffstat(added, changed, removed, null, null);
        }
    }

    /** The files of a commit's tree, in path order; the cursor is the last path of the page. */
    public FilePage files(String appId, String sha, int limit, String cursor) {
        if (!isSha(sha)) {
            throw new DomainException(DomainError.INVALID_QUERY, "a commit is named by its full 40-character lower-case sha");
        }
        ObjectId id = ObjectId.fromString(sha);
        String after = cursor == null ? null : Cursors.decode(cursor);
        try (S3DfsRepository repo = git.open(appId); ObjectReader reader = repo.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            RevCommit commit;
            try {
                commit = walk.parseCommit(id);
            } catch (MissingObjectException | IncorrectObjectTypeException e) {
                throw new DomainException(DomainError.COMMIT_NOT_FOUND, "There is no commit " + sha + " in " + appId);
            }
            List<TreeFile> files = new ArrayList<>();
            String next = null;
            try (TreeWalk tw = new TreeWalk(reader)) {
                tw.addTree(commit.getTree());
                tw.setRecursive(true);
                while (tw.next()) {
                    String path = tw.getPathString();
                    if (after != null && path.compareTo(after) <= 0) {
                        continue;
                    }
                    if (files.size() == limit) {
                        next = Cursors.encode(files.get(files.size() - 1).path());
                        break;
                    }
                    ObjectId blob = tw.getObjectId(0);
                    files.add(new TreeFile(path, Integer.toOctalString(tw.getRawMode(0)),
                            reader.getObjectSize(blob, Constants.OBJ_BLOB), blob.name()));
                }
            }
            return new FilePage(commit.name(), files, next);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSha(String s) {
        return s != null && s.matches("[0-9a-f]{40}");
    }
}
