package dev.slipway.shared.gitserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Packs a compaction or GC replaced are unlisted at once but their files stay in S3 for a grace
 * period longer than any reader holds the old pack list (a request opens the repository afresh and
 * lasts at most API Gateway's 30 s; the longest function, 15 min), then go, one audit event
 * ({@code git.packs-deleted}) per app and run. Run by the git maintenance schedule.
 */
public final class RetiredPacks {
    private static final Logger LOG = LoggerFactory.getLogger(RetiredPacks.class);
    /** Longer than the longest Lambda invocation (15 min) that could still read the old list. */
    public static final Duration GRACE = Duration.ofHours(1);

    private final GitStore git;
    private final AuditLedger ledger;
    private final DynamoDbEnhancedClient dynamo;
    private final Clock clock;
    private final Duration grace;

    public RetiredPacks(GitStore git, AuditLedger ledger, DynamoDbEnhancedClient dynamo, Clock clock, Duration grace) {
        this.git = git;
        this.ledger = ledger;
        this.dynamo = dynamo;
        this.clock = clock;
        this.grace = grace;
    }

    /** Deletes every retired pack older than the grace period; returns how many. */
    public int deleteExpired(Actor actor) {
        int deleted = 0;
        Instant cutoff = clock.instant().minus(grace);
        for (String appId : git.appsWithRetiredPacks()) {
            try {
                List<GitStore.RetiredPack> all = git.retiredPacks(appId);
                List<GitStore.RetiredPack> due = all.stream().filter(p -> !p.retiredAt().isAfter(cutoff)).toList();
                if (due.isEmpty()) {
                    continue;
                }
                git.deleteRetired(appId, due, all.size() - due.size());
                audit(appId, due, actor);
                deleted += due.size();
            } catch (RuntimeException e) {
                LOG.warn("retired packs of {} not deleted; the next run tries again", appId, e);
            }
        }
        return deleted;
    }

    private void audit(String appId, List<GitStore.RetiredPack> packs, Actor actor) {
        ObjectNode after = Json.object();
        ArrayNode names = after.putArray("packs");
        long bytes = 0;
        for (GitStore.RetiredPack p : packs) {
            names.add(p.name());
            bytes += p.files().values().stream().mapToLong(Long::longValue).sum();
        }
        after.put("bytes", bytes);
        after.put("graceSeconds", grace.toSeconds());
        for (int attempt = 1; ; attempt++) {
            var tx = TransactWriteItemsEnhancedRequest.builder();
            AuditEvent event = AuditEvent.next(ledger.head(appId), appId, clock.instant().truncatedTo(ChronoUnit.MILLIS), actor,
                    "git.packs-deleted", "app/" + appId + "/git", null, after);
            try {
                List<WriteConflict.Part> parts = ledger.appendTo(tx, event);
                Transactions.write(dynamo, tx.build(), parts);
                return;
            } catch (WriteConflict e) {
                if (attempt >= 10) {
                    throw e;
                }
                Transactions.pauseAfterConflict(attempt);
            }
        }
    }
}
