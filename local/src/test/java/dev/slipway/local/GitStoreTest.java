package dev.slipway.local;

import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.store.WriteConflict;
import dev.slipway.shared.store.Transactions;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The git store on the real engines: packs in the S3 server, refs and pack lists in DynamoDB Local. */
class GitStoreTest {
    private static EmbeddedEngines engines;
    private static GitStore git;
    private static DynamoDbEnhancedClient enhanced;

    @BeforeAll
    static void start() throws Exception {
        engines = EmbeddedEngines.get();
        enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(engines.dynamoClient).build();
        git = new GitStore(engines.s3Client, engines.bucketName("ArtifactsBucket"),
                new GitTable(enhanced, engines.tableName("GitTable")));
    }

    private static String repo() {
        return "git-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ObjectId commit(S3DfsRepository repo, Path dir, List<GitStore.TreeFile> files, ObjectId parent,
                                   String message) throws Exception {
        try (ObjectInserter ins = repo.newObjectInserter()) {
            ObjectId tree = GitStore.writeTree(ins, files);
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(tree);
            if (parent != null) {
                c.setParentId(parent);
            }
            PersonIdent who = new PersonIdent("test", "test@example.invalid");
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage(message);
            ObjectId id = ins.insert(c);
            ins.flush();
            return id;
        }
    }

    private static void move(String repo, ObjectId expected, ObjectId target) {
        var tx = TransactWriteItemsEnhancedRequest.builder();
        WriteConflict.Part part = git.table().addRefMove(tx, repo, Constants.R_HEADS + "main", expected, target);
        Transactions.write(enhanced, tx.build(), List.of(part));
    }

    @Test
    void aCommitWrittenByOneRepositoryInstanceIsReadByAnother(@TempDir Path dir) throws Exception {
        String id = repo();
        Files.writeString(dir.resolve("index.html"), "<h1>hello</h1>\n");
        Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        List<GitStore.TreeFile> files = List.of(
                new GitStore.TreeFile("index.html", dir.resolve("index.html"), false),
                new GitStore.TreeFile("scripts/run.sh", dir.resolve("run.sh"), true));
        ObjectId first;
        try (S3DfsRepository repo = git.open(id)) {
            first = commit(repo, dir, files, null, "first");
            move(id, null, first);
        }
        try (S3DfsRepository repo = git.open(id); RevWalk walk = new RevWalk(repo)) {
            assertEquals(first, GitStore.branchHead(repo, "main").orElseThrow());
            assertEquals(first, repo.resolve("HEAD"), "HEAD names main");
            RevCommit c = walk.parseCommit(first);
            assertEquals("first", c.getFullMessage());
            try (TreeWalk tw = TreeWalk.forPath(repo, "scripts/run.sh", c.getTree())) {
                assertEquals(org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE, tw.getFileMode(0));
                assertEquals("#!/bin/sh\necho hi\n",
                        new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
            }
        }
        // The pack and its index are real files in the bucket.
        var keys = engines.s3Client.listObjectsV2(r -> r.bucket(engines.bucketName("ArtifactsBucket")).prefix("git/" + id + "/"))
                .contents().stream().map(o -> o.key()).toList();
        assertTrue(keys.stream().anyMatch(k -> k.endsWith(".pack")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.endsWith(".idx")), keys.toString());
    }

    @Test
    void objectsGitAlreadyHasAreNotWrittenAgain(@TempDir Path dir) throws Exception {
        String id = repo();
        Files.writeString(dir.resolve("a.txt"), "same bytes\n");
        List<GitStore.TreeFile> files = List.of(new GitStore.TreeFile("a.txt", dir.resolve("a.txt"), false));
        try (S3DfsRepository repo = git.open(id); ObjectInserter ins = repo.newObjectInserter()) {
            GitStore.writeTree(ins, files);
            ins.flush();
        }
        int packs = packCount(id);
        ObjectId again;
        try (S3DfsRepository repo = git.open(id); ObjectInserter ins = repo.newObjectInserter()) {
            again = GitStore.writeTree(ins, files);
            ins.flush();
        }
        assertEquals(packs, packCount(id), "an identical tree writes no pack");
        assertNotEquals(ObjectId.zeroId(), again);
    }

    @Test
    void refsMoveOnlyFromTheStateTheWriterSaw(@TempDir Path dir) throws Exception {
        String id = repo();
        Files.writeString(dir.resolve("f"), "1");
        ObjectId base, a, b;
        try (S3DfsRepository repo = git.open(id)) {
            base = commit(repo, dir, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false)), null, "base");
            move(id, null, base);
            Files.writeString(dir.resolve("f"), "2");
            a = commit(repo, dir, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false)), base, "a");
            Files.writeString(dir.resolve("f"), "3");
            b = commit(repo, dir, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false)), base, "b");
        }
        move(id, base, a);
        WriteConflict lost = assertThrows(WriteConflict.class, () -> move(id, base, b));
        assertEquals(WriteConflict.Part.REF, lost.part());
        assertThrows(WriteConflict.class, () -> move(id, null, b), "creating an existing ref fails too");
        try (S3DfsRepository repo = git.open(id)) {
            assertEquals(a, GitStore.branchHead(repo, "main").orElseThrow());
        }
    }

    @Test
    void historyAcrossManyPacksIsWalkable(@TempDir Path dir) throws Exception {
        String id = repo();
        List<ObjectId> commits = new ArrayList<>();
        ObjectId parent = null;
        try (S3DfsRepository repo = git.open(id)) {
            for (int i = 0; i < 12; i++) {
                Files.writeString(dir.resolve("f"), "v" + i);
                ObjectId c = commit(repo, dir, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false)), parent, "c" + i);
                move(id, parent, c);
                commits.add(c);
                parent = c;
            }
        }
        try (S3DfsRepository repo = git.open(id); RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(GitStore.branchHead(repo, "main").orElseThrow()));
            List<ObjectId> seen = new ArrayList<>();
            walk.forEach(seen::add);
            List<ObjectId> newestFirst = new ArrayList<>(commits);
            java.util.Collections.reverse(newestFirst);
            assertEquals(newestFirst, seen);
        }
        assertEquals(12, packCount(id));
    }

    @Test
    void manyPacksAreCompactedIntoOneAndHistoryStaysWhole(@TempDir Path dir) throws Exception {
        String id = repo();
        List<ObjectId> commits = new ArrayList<>();
        ObjectId parent = null;
        try (S3DfsRepository repo = git.open(id)) {
            for (int i = 0; i < GitStore.COMPACT_AT_PACKS; i++) {
                Files.writeString(dir.resolve("f"), "version " + i);
                ObjectId c = commit(repo, dir, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false)), parent, "c" + i);
                move(id, parent, c);
                commits.add(c);
                parent = c;
            }
            try (S3DfsRepository empty = git.open(repo())) {
                assertEquals(0, git.compactIfFragmented(empty), "an empty repository: nothing to do");
            }
            assertEquals(GitStore.COMPACT_AT_PACKS, git.compactIfFragmented(repo));
        }
        assertEquals(1, packCount(id));
        try (S3DfsRepository repo = git.open(id); RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(GitStore.branchHead(repo, "main").orElseThrow()));
            int n = 0;
            for (RevCommit c : walk) {
                try (TreeWalk tw = TreeWalk.forPath(repo, "f", c.getTree())) {
                    String content = new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                    assertEquals("version " + (GitStore.COMPACT_AT_PACKS - 1 - n), content);
                }
                n++;
            }
            assertEquals(GitStore.COMPACT_AT_PACKS, n);
        }
        try (S3DfsRepository repo = git.open(id)) {
            assertEquals(0, git.compactIfFragmented(repo), "one pack: nothing to compact");
        }
    }

    private static int packCount(String repo) {
        var items = engines.dynamoClient.query(r -> r.tableName(engines.tableName("GitTable"))
                .keyConditionExpression("repo = :r AND begins_with(#n, :p)")
                .expressionAttributeNames(java.util.Map.of("#n", "name"))
                .expressionAttributeValues(java.util.Map.of(
                        ":r", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(repo),
                        ":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("pack:"))));
        return items.count();
    }

    /**
     * Every pack an import writes is one C git reads: the header's object count is the real one
     * (JGit's DfsInserter writes 1 before it knows), and the .idx names the pack's checksum.
     * Checked with C git on the bytes in the S3 server.
     */
    @Test
    void packsInS3AreReadByCGit(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(cGit(dir, "--version") == 0, "C git is not installed");
        String id = repo();
        List<GitStore.TreeFile> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path f = dir.resolve("file-" + i + ".txt");
            Files.writeString(f, "content " + i + "\n".repeat(i + 1));
            files.add(new GitStore.TreeFile("src/file-" + i + ".txt", f, false));
        }
        ObjectId first;
        try (S3DfsRepository repo = git.open(id)) {
            first = commit(repo, dir, files, null, "first");
            Files.writeString(dir.resolve("file-0.txt"), "changed\n");
            commit(repo, dir, files, first, "second");
        }
        String bucket = engines.bucketName("ArtifactsBucket");
        List<String> packs = engines.s3Client.listObjectsV2(l -> l.bucket(bucket).prefix("git/" + id + "/")).contents()
                .stream().map(o -> o.key()).filter(k -> k.endsWith(".pack")).toList();
        assertEquals(2, packs.size(), packs.toString());
        for (String key : packs) {
            String base = key.substring(key.lastIndexOf('/') + 1, key.length() - ".pack".length());
            Path pack = dir.resolve(base + ".pack");
            Path idx = dir.resolve(base + ".idx");
            Files.write(pack, engines.s3Client.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray());
            String idxKey = key.substring(0, key.length() - ".pack".length()) + ".idx";
            Files.write(idx, engines.s3Client.getObjectAsBytes(g -> g.bucket(bucket).key(idxKey)).asByteArray());
            byte[] bytes = Files.readAllBytes(pack);
            int count = java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt();
            assertTrue(count > 1, base + " says it holds " + count + " object(s)");
            // index-pack reads the pack as a fetch would, and its index must equal ours byte for byte.
            Path rebuilt = dir.resolve(base + ".rebuilt.idx");
            assertEquals(0, cGit(dir, "index-pack", "-o", rebuilt.toString(), pack.toString()), "git index-pack " + base);
            org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(rebuilt), Files.readAllBytes(idx),
                    base + ".idx differs from C git's");
            assertEquals(0, cGit(dir, "verify-pack", idx.toString()), "git verify-pack " + base);
        }
        // And JGit still reads what it wrote, in a new instance.
        try (S3DfsRepository repo = git.open(id); RevWalk walk = new RevWalk(repo)) {
            repo.scanForRepoChanges();
            assertEquals("first", walk.parseCommit(first).getFullMessage());
        }
    }

    private static int cGit(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("git-output.txt").toFile()).start();
            int rc = p.waitFor();
            if (rc != 0) {
                System.err.println(String.join(" ", command) + ": " + Files.readString(dir.resolve("git-output.txt")));
            }
            return rc;
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
