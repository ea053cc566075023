package dev.slipway.shared.deploy;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** What a deploy builds: a commit of the app's repository, named by branch or (abbreviated) SHA. */
public final class CommitSource {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,40}");

    private final GitStore git;

    public CommitSource(GitStore git) {
        this.git = git;
    }

    public record Resolved(String commit, String tree, String message) {
    }

    /** {@code ref}: a branch (default main) or a commit SHA of at least 7 hex digits. */
    public Resolved resolve(String appId, String ref) {
        String r = ref == null || ref.isBlank() ? S3DfsRepository.DEFAULT_BRANCH : ref.trim();
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo)) {
            Optional<ObjectId> id = Optional.empty();
            if (SHA.matcher(r).matches()) {
                id = commitBySha(repo.newObjectReader(), r);
            }
            if (id.isEmpty() && r.length() <= 100 && r.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")) {
                id = GitStore.branchHead(repo, r);
            }
            if (id.isEmpty()) {
                if (r.equals(S3DfsRepository.DEFAULT_BRANCH)) {
                    throw new DomainException(DomainError.NOTHING_TO_DEPLOY, "App " + appId + " has no commits on main yet; import its code first");
                }
                throw new DomainException(DomainError.REF_NOT_FOUND, "App " + appId + " has no branch or commit \"" + shorten(r) + "\"");
            }
            RevCommit c = walk.parseCommit(id.get());
            return new Resolved(c.name(), c.getTree().name(), c.getShortMessage());
        } catch (IncorrectObjectTypeException | MissingObjectException e) {
            throw new DomainException(DomainError.REF_NOT_FOUND, "\"" + shorten(r) + "\" is not a commit of app " + appId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<ObjectId> commitBySha(ObjectReader reader, String sha) throws IOException {
        try (reader) {
            Collection<ObjectId> matches = reader.resolve(AbbreviatedObjectId.fromString(sha));
            return matches.size() == 1 ? Optional.of(matches.iterator().next()) : Optional.empty();
        }
    }

    /** Writes the commit's tree as a zip (CodeBuild's S3 source format); executables keep 0755. */
    public void exportZip(String appId, String commit, OutputStream out) throws IOException {
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo);
             TreeWalk tw = new TreeWalk(repo); ZipOutputStream zip = new ZipOutputStream(out)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                FileMode mode = tw.getFileMode(0);
                if (mode == FileMode.GITLINK || mode == FileMode.SYMLINK) {
                    continue; // imports never store these; be safe with older repositories
                }
                ZipEntry e = new ZipEntry(tw.getPathString());
                zip.putNextEntry(e);
                repo.open(tw.getObjectId(0)).copyTo(zip);
                zip.closeEntry();
            }
        }
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
