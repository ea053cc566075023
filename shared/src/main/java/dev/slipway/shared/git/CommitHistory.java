package dev.slipway.shared.git;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.http.ProblemException;
import dev.slipway.shared.http.ProblemType;
import dev.slipway.shared.json.Json;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

    public CommitHistory(GitStore git) {
        this.git = git;
    }

    /** Newest first; the cursor is the sha of the first commit of the next page. */
    public ObjectNode commits(String appId, String branch, int limit, String cursor) {
        String b = GitStore.requireBranch(branch);
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = GitStore.branchHead(repo, b).orElse(null);
            if (head == null) {
                if (b.equals(S3DfsRepository.DEFAULT_BRANCH)) {
                    // Every app has a main branch; before its first import it is simply empty.
                    ObjectNode empty = Json.object();
                    empty.putArray("commits");
                    empty.put("branch", b);
                    empty.putNull("nextCursor");
                    return empty;
                }
                throw new ProblemException(ProblemType.BRANCH_NOT_FOUND, "App " + appId + " has no branch " + b);
            }
            walk.markStart(walk.parseCommit(head));
            if (cursor != null) {
                ObjectId start = parseSha(cursor, ProblemType.INVALID_QUERY, "cursor is not one this API handed out");
                walk.reset();
                RevCommit from;
                try {
                    from = walk.parseCommit(start);
                } catch (MissingObjectException e) {
                    throw new ProblemException(ProblemType.INVALID_QUERY, "cursor is not one this API handed out");
                }
                walk.markStart(from);
            }
            ObjectNode page = Json.object();
            ArrayNode items = page.putArray("commits");
            RevCommit c;
            String next = null;
            while ((c = walk.next()) != null) {
                if (items.size() == limit) {
                    next = c.name();
                    break;
                }
                items.add(view(repo, c));
            }
            page.put("branch", b);
            page.put("nextCursor", next);
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode view(S3DfsRepository repo, RevCommit c) throws IOException {
        ObjectNode n = Json.object();
        n.put("sha", c.name());
        ArrayNode parents = n.putArray("parents");
        for (RevCommit p : c.getParents()) {
            parents.add(p.name());
        }
        n.put("message", c.getFullMessage());
        PersonIdent a = c.getAuthorIdent();
        n.putObject("author").put("name", a.getName()).put("email", a.getEmailAddress());
        n.put("time", a.getWhenAsInstant().toString());
        n.set("diffstat", diffstat(repo, c));
        return n;
    }

    private static ObjectNode diffstat(S3DfsRepository repo, RevCommit c) throws IOException {
        int added = 0, changed = 0, removed = 0;
        long insertions = 0, deletions = 0;
        try (DiffFormatter df = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            df.setRepository(repo);
            df.setDiffComparator(RawTextComparator.DEFAULT);
            df.setDetectRenames(false);
            try (RevWalk w = new RevWalk(repo)) {
                ObjectId parentTree = c.getParentCount() == 0 ? null : w.parseCommit(c.getParent(0)).getTree();
                List<DiffEntry> entries = df.scan(parentTree, c.getTree());
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
                ObjectNode s = Json.object();
                s.put("filesAdded", added);
                s.put("filesChanged", changed);
                s.put("filesRemoved", removed);
                if (lines) {
                    s.put("insertions", insertions);
                    s.put("deletions", deletions);
                }
                return s;
            }
        }
    }

    /** The files of a commit's tree, in path order; the cursor is the last path of the page. */
    public ObjectNode files(String appId, String sha, int limit, String cursor) {
        ObjectId id = parseSha(sha, ProblemType.COMMIT_NOT_FOUND, "There is no commit " + abbreviate(sha) + " in " + appId);
        String after = cursor == null ? null : decodeCursor(cursor);
        try (S3DfsRepository repo = git.open(appId); ObjectReader reader = repo.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            RevCommit commit;
            try {
                commit = walk.parseCommit(id);
            } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                throw new ProblemException(ProblemType.COMMIT_NOT_FOUND, "There is no commit " + sha + " in " + appId);
            }
            ObjectNode page = Json.object();
            page.put("commit", commit.name());
            ArrayNode files = page.putArray("files");
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
                        next = encodeCursor(files.get(files.size() - 1).path("path").asText());
                        break;
                    }
                    ObjectId blob = tw.getObjectId(0);
                    ObjectNode f = files.addObject();
                    f.put("path", path);
                    f.put("mode", Integer.toOctalString(tw.getRawMode(0)));
                    f.put("size", reader.getObjectSize(blob, Constants.OBJ_BLOB));
                    f.put("sha", blob.name());
                }
            }
            page.put("nextCursor", next);
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectId parseSha(String sha, ProblemType type, String detail) {
        if (sha == null || !sha.matches("[0-9a-f]{40}")) {
            throw new ProblemException(type == ProblemType.COMMIT_NOT_FOUND ? ProblemType.INVALID_QUERY : type,
                    type == ProblemType.COMMIT_NOT_FOUND ? "a commit is named by its full 40-character lower-case sha" : detail);
        }
        return ObjectId.fromString(sha);
    }

    private static String abbreviate(String s) {
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    private static String encodeCursor(String path) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(path.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(ProblemType.INVALID_QUERY, "cursor is not one this API handed out");
        }
    }

    public static int limit(String param, int dflt, int max) {
        if (param == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(param);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new ProblemException(ProblemType.INVALID_QUERY, "limit must be a whole number from 1 to " + max);
    }
}
