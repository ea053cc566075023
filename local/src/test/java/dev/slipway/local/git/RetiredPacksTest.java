package dev.slipway.local.git;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.gitserver.RetiredPacks;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packs a compaction replaced stay in S3 through the grace period (a reader holding the old list
 * still finds them), then go with one git.packs-deleted audit event; the history stays whole.
 */
class RetiredPacksTest {
    @Test
    void replacedPacksAreDeletedAfterTheGracePeriodAndAudited(@TempDir Path dir) throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(engines.dynamoClient).build();
        String bucket = engines.bucketName("ArtifactsBucket");
        GitStore git = new GitStore(engines.s3Client, bucket, new GitTable(enhanced, engines.tableName("GitTable")));
        AuditLedger ledger = new AuditLedger(enhanced, engines.tableName("AuditTable"));
        String app = "retired-" + UUID.randomUUID().toString().substring(0, 8);

        ObjectId parent = null;
        try (S3DfsRepository repo = git.open(app)) {
            for (int i = 0; i < GitStore.COMPACT_AT_PACKS; i++) {
                Files.writeString(dir.resolve("f"), "version " + i);
                ObjectId c;
                try (ObjectInserter ins = repo.newObjectInserter()) {
                    CommitBuilder b = new CommitBuilder();
                    b.setTreeId(GitStore.writeTree(ins, List.of(new GitStore.TreeFile("f", dir.resolve("f"), false))));
                    if (parent != null) {
                        b.setParentId(parent);
                    }
                    b.setAuthor(new PersonIdent("t", "t@example.invalid"));
                    b.setCommitter(new PersonIdent("t", "t@example.invalid"));
                    b.setMessage("c" + i);
                    c = ins.insert(b);
                    ins.flush();
                }
                var tx = TransactWriteItemsEnhancedRequest.builder();
                WriteConflict.Part part = git.table().addRefMove(tx, app, Constants.R_HEADS + "main", parent, c);
                Transactions.write(enhanced, tx.build(), List.of(part));
                parent = c;
            }
            assertEquals(GitStore.COMPACT_AT_PACKS, git.compactIfFragmented(repo));
        }
        List<GitStore.RetiredPack> retired = git.retiredPacks(app);
        assertEquals(GitStore.COMPACT_AT_PACKS, retired.size());
        List<String> keys = new ArrayList<>();
        retired.forEach(p -> p.files().keySet().forEach(f -> keys.add("git/" + app + "/" + f)));
        assertEquals(2 * GitStore.COMPACT_AT_PACKS, keys.size(), "a .pack and an .idx each");

        Actor actor = new Actor("git-maintenance", null, null);
        Instant now = Instant.now();
        RetiredPacks within = new RetiredPacks(git, ledger, enhanced, Clock.fixed(now.plus(Duration.ofMinutes(59)), ZoneOffset.UTC), RetiredPacks.GRACE);
        assertEquals(0, within.deleteExpired(actor), "inside the grace period nothing goes");
        for (String key : keys) {
            engines.s3Client.headObject(r -> r.bucket(bucket).key(key));
        }

        RetiredPacks after = new RetiredPacks(git, ledger, enhanced, Clock.fixed(now.plus(Duration.ofMinutes(61)), ZoneOffset.UTC), RetiredPacks.GRACE);
        assertEquals(GitStore.COMPACT_AT_PACKS, after.deleteExpired(actor));
        for (String key : keys) {
            assertThrows(NoSuchKeyException.class, () -> engines.s3Client.getObject(r -> r.bucket(bucket).key(key)).close(), key);
        }
        assertEquals(0, git.retiredPacks(app).size());
        assertTrue(git.appsWithRetiredPacks().stream().noneMatch(app::equals));
        var events = ledger.events(app, 1, 100);
        assertEquals(1, events.size());
        assertEquals("git.packs-deleted", events.get(0).action());
        assertEquals(GitStore.COMPACT_AT_PACKS, events.get(0).after().get("packs").size());
        assertTrue(ledger.verify(app).valid());
        assertEquals(0, after.deleteExpired(actor), "a second run finds nothing");

        try (S3DfsRepository repo = git.open(app); RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(GitStore.branchHead(repo, "main").orElseThrow()));
            int n = 0;
            for (RevCommit ignored : walk) {
                n++;
            }
            assertEquals(GitStore.COMPACT_AT_PACKS, n, "the compacted pack holds the whole history");
        }
    }
}
