package dev.slipway.shared.gitserver;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.treewalk.TreeWalk;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * What leaves the repository other than through the protocol: archives of a tree (zip, tar.gz, as
 * {@code git archive} makes them: the commit's files, directories as entries, the commit time on
 * every entry, executables 0755) and bundles of every branch for {@code git clone --bundle-uri}.
 * Small ones are answered inline; larger ones (beyond what Lambda returns) go to S3 under
 * {@code git-exports/<app>/}, keyed by what they hold so a second ask reuses them, and are
 * answered with a presigned URL.
 */
public final class GitExports {
    /** Presigned download URLs last this long. */
    public static final Duration URL_TTL = Duration.ofMinutes(15);
    public static final String PREFIX = "git-exports/";

    /** An export: its bytes when small enough to answer inline, else a presigned URL. */
    public record Export(String fileName, String contentType, byte[] bytes, String url) {
    }

    public enum Format {
        ZIP(".zip", "application/zip"), TAR_GZ(".tar.gz", "application/gzip");

        final String suffix;
        final String contentType;

        Format(String suffix, String contentType) {
            this.suffix = suffix;
            this.contentType = contentType;
        }
    }

    private final GitStore git;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final Path tempParent;
    private final int inlineLimit;

    public GitExports(GitStore git, S3Client s3, S3Presigner presigner, String bucket, Path tempParent, int inlineLimit) {
        this.git = git;
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.tempParent = tempParent;
        this.inlineLimit = inlineLimit;
    }

    /** {@code main.zip}, {@code feature/x.tar.gz}, {@code <sha>.zip}: the archive of that commit's tree. */
    public Export archive(String appId, String file) {
        Format format = file.endsWith(Format.TAR_GZ.suffix) ? Format.TAR_GZ : file.endsWith(Format.ZIP.suffix) ? Format.ZIP : null;
        if (format == null) {
            throw new DomainException(DomainError.INVALID_QUERY, "Ask for {ref}.zip or {ref}.tar.gz");
        }
        String ref = file.substring(0, file.length() - format.suffix.length());
        try (S3DfsRepository repo = git.open(appId); ObjectReader reader = repo.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            RevCommit commit = walk.parseCommit(resolve(repo, ref));
            String base = appId + "-" + (ref.matches("[0-9a-f]{40}") ? ref.substring(0, 12) : ref.replace('/', '-'));
            String name = base + format.suffix;
            String key = PREFIX + appId + "/archive-" + commit.name() + format.suffix;
            return export(key, name, format.contentType, out -> write(reader, commit, format, out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bundle of every branch (for {@code git clone --bundle-uri}); always through S3. */
    public Export bundle(String appId) {
        try (S3DfsRepository repo = git.open(appId)) {
            List<Ref> branches = repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS);
            if (branches.isEmpty()) {
                throw new DomainException(DomainError.BRANCH_NOT_FOUND, "The repository has no branch yet: import or push first");
            }
            StringBuilder state = new StringBuilder();
            branches.forEach(r -> state.append(r.getName()).append(' ').append(r.getObjectId().name()).append('\n'));
            String key = PREFIX + appId + "/bundle-" + sha256(state.toString()) + ".bundle";
            return export(key, appId + ".bundle", "application/x-git-bundle", out -> {
                BundleWriter w = new BundleWriter(repo);
                branches.forEach(w::include);
                w.writeBundle(NullProgressMonitor.INSTANCE, out);
            }, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectId resolve(S3DfsRepository repo, String ref) throws IOException {
        if (ref.matches("[0-9a-f]{40}")) {
            ObjectId id = ObjectId.fromString(ref);
            if (!repo.getObjectDatabase().has(id)) {
                throw new DomainException(DomainError.REF_NOT_FOUND, "The app has no commit " + ref);
            }
            return id;
        }
        String branch = GitStore.requireBranch(ref);
        return GitStore.branchHead(repo, branch)
                .orElseThrow(() -> new DomainException(DomainError.REF_NOT_FOUND, "The app has no branch " + branch));
    }

    @FunctionalInterface
    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private Export export(String key, String name, String contentType, Writer writer) throws IOException {
        return export(key, name, contentType, writer, false);
    }

    private Export export(String key, String name, String contentType, Writer writer, boolean alwaysS3) throws IOException {
        if (exists(key)) {
            return new Export(name, contentType, null, presign(key, name));
        }
        Path tmp = Files.createTempFile(tempParent, "slipway-export-", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            if (!alwaysS3 && Files.size(tmp) <= inlineLimit) {
                return new Export(name, contentType, Files.readAllBytes(tmp), null);
            }
            s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType), RequestBody.fromFile(tmp));
            return new Export(name, contentType, null, presign(key, name));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String presign(String key, String name) {
        return presigner.presignGetObject(p -> p.signatureDuration(URL_TTL)
                        .getObjectRequest(g -> g.bucket(bucket).key(key)
                                .responseContentDisposition("attachment; filename=\"" + name + "\"")))
                .url().toString();
    }

    /** The tree as {@code git archive} writes it: sorted paths, directories first as their own entries. */
    static void write(ObjectReader reader, RevCommit commit, Format format, OutputStream raw) throws IOException {
        Date time = new Date(commit.getCommitTime() * 1000L);
        if (format == Format.ZIP) {
            try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(raw)) {
                zip.setLevel(Deflater.DEFAULT_COMPRESSION);
                walk(reader, commit, (path, mode, blob) -> {
                    ZipArchiveEntry e = new ZipArchiveEntry(blob == null ? path + "/" : path);
                    e.setTime(time.getTime());
                    if (blob == null) {
                        e.setUnixMode(040755);
                        zip.putArchiveEntry(e);
                    } else {
                        e.setUnixMode(mode == FileMode.SYMLINK ? 0120777 : mode == FileMode.EXECUTABLE_FILE ? 0100755 : 0100644);
                        zip.putArchiveEntry(e);
                        reader.open(blob, Constants.OBJ_BLOB).copyTo(zip);
                    }
                    zip.closeArchiveEntry();
                });
                zip.setComment(commit.name());
            }
        } else {
            try (GZIPOutputStream gz = new GZIPOutputStream(raw, 64 * 1024);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, StandardCharsets.UTF_8.name())) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                walk(reader, commit, (path, mode, blob) -> {
                    if (mode == FileMode.SYMLINK) {
                        TarArchiveEntry e = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK);
                        e.setLinkName(new String(reader.open(blob).getCachedBytes(), StandardCharsets.UTF_8));
                        e.setModTime(time);
                        e.setMode(0120777);
                        tar.putArchiveEntry(e);
                    } else {
                        TarArchiveEntry e = new TarArchiveEntry(blob == null ? path + "/" : path);
                        e.setModTime(time);
                        e.setMode(blob == null ? 040775 : mode == FileMode.EXECUTABLE_FILE ? 0100775 : 0100664);
                        if (blob != null) {
                            e.setSize(reader.getObjectSize(blob, Constants.OBJ_BLOB));
                        }
                        tar.putArchiveEntry(e);
                        if (blob != null) {
                            reader.open(blob, Constants.OBJ_BLOB).copyTo(tar);
                        }
                    }
                    tar.closeArchiveEntry();
                });
            }
        }
    }

    @FunctionalInterface
    private interface EntrySink {
        /** {@code blob} null for a directory. */
        void entry(String path, FileMode mode, ObjectId blob) throws IOException;
    }

    private static void walk(ObjectReader reader, RevCommit commit, EntrySink sink) throws IOException {
        try (TreeWalk tw = new TreeWalk(reader)) {
            tw.addTree(commit.getTree());
            tw.setRecursive(false);
            while (tw.next()) {
                FileMode mode = tw.getFileMode(0);
                if (tw.isSubtree()) {
                    sink.entry(tw.getPathString(), mode, null);
                    tw.enterSubtree();
                } else if (mode != FileMode.GITLINK) {
                    sink.entry(tw.getPathString(), mode, tw.getObjectId(0));
                }
            }
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
