package dev.slipway.shared.deploy;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.lockfile.RegistryMapping;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
        exportZip(appId, commit, out, null);
    }

    /**
     * {@link #exportZip(String, String, OutputStream)}, with the root lockfiles' foreign registry URLs pointed at
     * {@code mapping}'s registry (null: as committed). Returns one line per lockfile it changed, or whose URLs it
     * left, for the build log. The commit itself is not changed: the mapping happens for the build only.
     */
    public List<String> exportZip(String appId, String commit, OutputStream out, RegistryMapping mapping) throws IOException {
        return exportZip(appId, commit, out, mapping, new java.util.HashMap<>());
    }

    /** The same, putting each lockfile it changed (name → the bytes the build gets) into {@code mappedLockfiles}. */
    public List<String> exportZip(String appId, String commit, OutputStream out, RegistryMapping mapping,
                                  Map<String, byte[]> mappedLockfiles) throws IOException {
        List<String> notes = new ArrayList<>();
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
                ObjectLoader blob = repo.open(tw.getObjectId(0));
                if (mapping != null && RegistryMapping.LOCKFILES.contains(tw.getPathString())
                        && blob.getSize() <= MAX_MAPPED_LOCKFILE_BYTES) {
                    byte[] original = blob.getBytes();
                    byte[] mapped = mapped(tw.getPathString(), original, mapping, notes);
                    if (mapped != original) {
                        mappedLockfiles.put(tw.getPathString(), mapped);
                    }
                    zip.write(mapped);
                } else {
                    blob.copyTo(zip);
                }
                zip.closeEntry();
            }
        }
        return notes;
    }

    /**
     * The commit's files whose path {@code wanted} accepts (path → bytes), e.g. its migrations; more than
     * {@code maxBytes} in all is refused, as such files are read into memory.
     */
    public Map<String, byte[]> files(String appId, String commit, java.util.function.Predicate<String> wanted, long maxBytes) {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        long total = 0;
        try (S3DfsRepository repo = git.open(appId); RevWalk walk = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(walk.parseCommit(ObjectId.fromString(commit)).getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                if (tw.getFileMode(0) != FileMode.REGULAR_FILE && tw.getFileMode(0) != FileMode.EXECUTABLE_FILE
                        || !wanted.test(tw.getPathString())) {
                    continue;
                }
                ObjectLoader blob = repo.open(tw.getObjectId(0));
                total += blob.getSize();
                if (total > maxBytes) {
                    throw new IllegalArgumentException("commit " + commit + " holds more than " + (maxBytes >> 20)
                            + " MiB of such files (at " + tw.getPathString() + ")");
                }
                out.put(tw.getPathString(), blob.getBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Lockfiles larger than this go into the build as they are. */
    static final long MAX_MAPPED_LOCKFILE_BYTES = 50L << 20;

    private static byte[] mapped(String name, byte[] bytes, RegistryMapping mapping, List<String> notes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return bytes; // not UTF-8: not a lockfile we can read; the install will say what is wrong
        }
        RegistryMapping.Result r = mapping.map(text);
        if (r.changed()) {
            notes.add(name + ": " + r.describe() + " now point at " + mapping.registry() + " (integrity hashes unchanged)");
        }
        if (!r.leftAlone().isEmpty()) {
            notes.add(name + ": " + r.leftAlone().size() + (r.leftAlone().size() >= 20 ? "+" : "")
                    + " URL(s) that are not registry tarballs are used as they are, e.g. " + r.leftAlone().get(0));
        }
        return r.changed() ? r.text().getBytes(StandardCharsets.UTF_8) : bytes;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
