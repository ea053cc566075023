package dev.slipway.shared.git;

import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;
import org.eclipse.jgit.internal.storage.dfs.DfsPackDescription;
import org.eclipse.jgit.internal.storage.dfs.DfsReaderOptions;
import org.eclipse.jgit.internal.storage.dfs.DfsRefDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsRepository;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryBuilder;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.ReadableChannel;
import org.eclipse.jgit.internal.storage.pack.PackExt;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefDatabase;
import org.eclipse.jgit.lib.ReflogReader;
import org.eclipse.jgit.lib.SymbolicRef;
import org.eclipse.jgit.util.RefList;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An app's git repository with no server and no disk: objects in immutable pack files in S3
 * ({@code git/<app>/pack-….pack|idx}), the pack list and the refs in DynamoDB. JGit's DFS layer
 * does the git; this class only says where bytes live. Open one per request: it caches refs.
 */
public final class S3DfsRepository extends DfsRepository {
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String DEFAULT_BRANCH = "main";

    private final String appId;
    private final S3Client s3;
    private final String bucket;
    private final GitTable table;
    private final ObjDatabase objdb;
    private final RefDb refdb;

    private S3DfsRepository(Builder builder) {
        super(builder);
        this.appId = builder.appId;
        this.s3 = builder.s3;
        this.bucket = builder.bucket;
        this.table = builder.table;
        this.objdb = new ObjDatabase(this);
        this.refdb = new RefDb(this);
    }

    static S3DfsRepository open(String appId, S3Client s3, String bucket, GitTable table) throws IOException {
        Builder b = new Builder();
        b.appId = appId;
        b.s3 = s3;
        b.bucket = bucket;
        b.table = table;
        b.setRepositoryDescription(new DfsRepositoryDescription(appId));
        return b.build();
    }

    public String appId() {
        return appId;
    }

    /** Where a pack file lives in the bucket. */
    static String key(String appId, String fileName) {
        return "git/" + appId + "/" + fileName;
    }

    /**
     * Takes back every pack this instance listed (a refused push's objects): unlisted, then its
     * files deleted. Only for packs no ref can reach: nothing else names their objects.
     */
    public void unlistPacksWrittenHere() {
        objdb.unlistWrittenHere();
    }

    @Override
    public DfsObjDatabase getObjectDatabase() {
        return objdb;
    }

    @Override
    public RefDatabase getRefDatabase() {
        return refdb;
    }

    private static final class Builder extends DfsRepositoryBuilder<Builder, S3DfsRepository> {
        String appId;
        S3Client s3;
        String bucket;
        GitTable table;

        @Override
        public S3DfsRepository build() {
            return new S3DfsRepository(this);
        }
    }

    private final class ObjDatabase extends DfsObjDatabase {
        /** Packs closed but not uploaded yet, by pack name: they wait for their index. */
        private final Map<String, S3PackOutputStream> heldPacks = new ConcurrentHashMap<>();
        /** Packs this instance listed: what a refused push takes back. */
        private final List<DfsPackDescription> listedHere = new CopyOnWriteArrayList<>();

        ObjDatabase(DfsRepository repo) {
            super(repo, new DfsReaderOptions());
        }

        @Override
        public long getApproximateObjectCount() {
            long n = 0;
            try {
                for (var pack : getPacks()) {
                    n += pack.getPackDescription().getObjectCount();
                }
            } catch (IOException e) {
                return -1;
            }
            return n;
        }

        @Override
        protected List<DfsPackDescription> listPacks() {
            List<DfsPackDescription> packs = new ArrayList<>();
            for (GitItem item : table.items(appId, GitItem.PACK)) {
                PackSource source = PackSource.valueOf(item.getSource());
                DfsPackDescription d = new DfsPackDescription(getDescription(),
                        item.getName().substring(GitItem.PACK.length()), source);
                for (Map.Entry<String, Long> f : item.getFiles().entrySet()) {
                    PackExt ext = ext(f.getKey());
                    d.addFileExt(ext);
                    d.setFileSize(ext, f.getValue());
                }
                if (item.getObjectCount() != null) {
                    d.setObjectCount(item.getObjectCount());
                }
                if (item.getLastModified() != null) {
                    d.setLastModified(item.getLastModified());
                }
                if (item.getIndexVersion() != null) {
                    d.setIndexVersion(item.getIndexVersion());
                }
                packs.add(d);
            }
            return packs;
        }

        @Override
        protected DfsPackDescription newPack(PackSource source) {
            byte[] id = new byte[12];
            RANDOM.nextBytes(id);
            // Unique per writer, so concurrent imports never write the same key.
            String name = "pack-" + System.currentTimeMillis() + "-" + HexFormat.of().formatHex(id) + "-" + source.name();
            return new DfsPackDescription(getDescription(), name, source);
        }

        @Override
        protected void commitPackImpl(Collection<DfsPackDescription> desc, Collection<DfsPackDescription> replace) {
            uploadHeld(desc);
            List<GitItem> add = new ArrayList<>();
            for (DfsPackDescription d : desc) {
                GitItem item = new GitItem();
                item.setRepo(appId);
                item.setName(GitItem.PACK + d.getPackName());
                item.setSource(d.getPackSource().name());
                Map<String, Long> files = new TreeMap<>();
                for (PackExt ext : PackExt.values()) {
                    if (d.hasFileExt(ext)) {
                        files.put(ext.getExtension(), d.getFileSize(ext));
                    }
                }
                item.setFiles(files);
                item.setObjectCount(d.getObjectCount());
                item.setLastModified(d.getLastModified() > 0 ? d.getLastModified() : System.currentTimeMillis());
                item.setIndexVersion(d.getIndexVersion());
                add.add(item);
            }
            List<String> remove = replace == null ? List.of()
                    : replace.stream().map(DfsPackDescription::getPackName).toList();
            List<GitItem> retire = new ArrayList<>();
            for (DfsPackDescription d : replace == null ? List.<DfsPackDescription>of() : replace) {
                GitItem r = new GitItem();
                r.setRepo(appId);
                r.setName(GitItem.RETIRED + d.getPackName());
                Map<String, Long> files = new TreeMap<>();
                for (PackExt ext : PackExt.values()) {
                    if (d.hasFileExt(ext)) {
                        files.put(d.getFileName(ext), d.getFileSize(ext));
                    }
                }
                r.setFiles(files);
                r.setLastModified(System.currentTimeMillis());
                retire.add(r);
            }
            table.commitPacks(appId, add, remove, retire);
            listedHere.addAll(desc);
        }

        void unlistWrittenHere() {
            List<DfsPackDescription> mine = List.copyOf(listedHere);
            listedHere.clear();
            if (mine.isEmpty()) {
                return;
            }
            table.commitPacks(appId, List.of(), mine.stream().map(DfsPackDescription::getPackName).toList());
            rollbackPack(mine);
            clearCache();
        }

        @Override
        protected void rollbackPack(Collection<DfsPackDescription> desc) {
            // Never listed, so never read; remove the files that were uploaded.
            for (DfsPackDescription d : desc) {
                S3PackOutputStream held = heldPacks.remove(d.getPackName());
                if (held != null) {
                    held.discard();
                }
                for (PackExt ext : PackExt.values()) {
                    if (d.hasFileExt(ext)) {
                        try {
                            s3.deleteObject(r -> r.bucket(bucket).key(key(appId, d.getFileName(ext))));
                        } catch (RuntimeException ignored) {
                            // an unlisted leftover costs storage only
                        }
                    }
                }
            }
        }

        @Override
        protected ReadableChannel openFile(DfsPackDescription desc, PackExt ext) throws IOException {
            if (!desc.hasFileExt(ext)) {
                throw new FileNotFoundException(desc.getFileName(ext));
            }
            return new S3ReadableChannel(s3, bucket, key(appId, desc.getFileName(ext)), desc.getFileSize(ext));
        }

        /**
         * A pack is held back until its index is written: only the index knows how many objects a
         * {@code DfsInserter} pack holds (its header always says 1). Then the count is set, both
         * trailers recomputed, and the pack uploaded before its index, both before the pack list
         * names them.
         */
        @Override
        protected DfsOutputStream writeFile(DfsPackDescription desc, PackExt ext) throws IOException {
            String name = desc.getPackName();
            String key = key(appId, desc.getFileName(ext));
            if (ext == PackExt.PACK) {
                return new S3PackOutputStream(s3, bucket, key, pack -> {
                    S3PackOutputStream earlier = heldPacks.put(name, pack);
                    if (earlier != null) {
                        earlier.discard();
                    }
                });
            }
            if (ext == PackExt.INDEX) {
                return new S3PackOutputStream(s3, bucket, key, index -> {
                    S3PackOutputStream pack = heldPacks.remove(name);
                    try {
                        if (pack != null) {
                            S3PackOutputStream.fixObjectCount(pack, index);
                            pack.upload();
                        }
                    } finally {
                        if (pack != null) {
                            pack.discard();
                        }
                    }
                    index.upload();
                });
            }
            return new S3PackOutputStream(s3, bucket, key);
        }

        /** Uploads a held-back pack whose index never came (so it is readable once listed). */
        private void uploadHeld(Collection<DfsPackDescription> desc) {
            for (DfsPackDescription d : desc) {
                S3PackOutputStream pack = heldPacks.remove(d.getPackName());
                if (pack != null) {
                    try {
                        pack.upload();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }

    private static PackExt ext(String extension) {
        for (PackExt e : PackExt.values()) {
            if (e.getExtension().equals(extension)) {
                return e;
            }
        }
        throw new IllegalStateException("unknown pack file extension " + extension);
    }

    private final class RefDb extends DfsRefDatabase {
        RefDb(DfsRepository repo) {
            super(repo);
        }

        @Override
        protected RefCache scanAllRefs() {
            RefList.Builder<Ref> ids = new RefList.Builder<>();
            RefList.Builder<Ref> sym = new RefList.Builder<>();
            for (GitItem item : table.items(appId, GitItem.REF)) {
                String name = item.getName().substring(GitItem.REF.length());
                ids.add(new ObjectIdRef.PeeledNonTag(Ref.Storage.PACKED, name, ObjectId.fromString(item.getObjectId())));
            }
            // HEAD is not stored: it always names the default branch.
            Ref main = null;
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i).getName().equals(Constants.R_HEADS + DEFAULT_BRANCH)) {
                    main = ids.get(i);
                }
            }
            Ref target = main != null ? main : new ObjectIdRef.Unpeeled(Ref.Storage.NEW, Constants.R_HEADS + DEFAULT_BRANCH, null);
            SymbolicRef head = new SymbolicRef(Constants.HEAD, target);
            ids.add(head);
            sym.add(head);
            ids.sort();
            sym.sort();
            return new RefCache(ids.toRefList(), sym.toRefList());
        }

        @Override
        public ReflogReader getReflogReader(Ref ref) {
            return null; // no reflog: the audit trail records every ref move instead
        }

        @Override
        protected boolean compareAndPut(Ref oldRef, Ref newRef) {
            if (newRef.isSymbolic()) {
                throw new UnsupportedOperationException("symbolic refs other than HEAD are not stored");
            }
            ObjectId expected = oldRef == null || oldRef.getStorage() == Ref.Storage.NEW ? null : oldRef.getObjectId();
            return table.compareAndPut(appId, newRef.getName(), expected, newRef.getObjectId());
        }

        @Override
        protected boolean compareAndRemove(Ref oldRef) {
            return table.compareAndRemove(appId, oldRef.getName(), oldRef.getObjectId());
        }
    }
}
