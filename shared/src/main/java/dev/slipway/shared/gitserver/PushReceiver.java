package dev.slipway.shared.gitserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.imports.findings.Finding;
import dev.slipway.shared.imports.scan.EnvFile;
import dev.slipway.shared.imports.scan.SecretScanner;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A push under the import's rules, as JGit's pre-receive hook: every command is checked first
 * (branches only; on main no non-fast-forward and no deletion unless the app allows it; the new
 * commits' added or changed files pass the env-file rule and the secret scanner; entry and path
 * limits). One refusal refuses the whole push, with a {@code remote:} line per reason, and the
 * received pack is taken back, so nothing is written. Otherwise each ref moves by its own
 * compare-and-set in one DynamoDB transaction with its audit event; JGit then reports the results
 * (it never moves a ref itself: the hook answers every command).
 */
final class PushReceiver implements PreReceiveHook {
    private static final Logger LOG = LoggerFactory.getLogger(PushReceiver.class);
    static final String MAIN = Constants.R_HEADS + S3DfsRepository.DEFAULT_BRANCH;
    private static final int MAX_REFUSALS_SHOWN = 20;
    private static final int MAX_AUDIT_ATTEMPTS = 10;

    private final S3DfsRepository repo;
    private final GitTable table;
    private final AuditLedger ledger;
    private final DynamoDbEnhancedClient dynamo;
    private final GitSettings settings;
    private final Function<PushedBranch, Optional<String>> afterMove;
    private final ImportLimits limits;
    private final Actor actor;
    private final Clock clock;
    private final List<PushedBranch> moved = new ArrayList<>();

    PushReceiver(S3DfsRepository repo, GitTable table, AuditLedger ledger, DynamoDbEnhancedClient dynamo,
                 GitSettings settings, ImportLimits limits, Actor actor, Clock clock,
                 Function<PushedBranch, Optional<String>> afterMove) {
        this.afterMove = afterMove;
        this.repo = repo;
        this.table = table;
        this.ledger = ledger;
        this.dynamo = dynamo;
        this.settings = settings;
        this.limits = limits;
        this.actor = actor;
        this.clock = clock;
    }

    /** The branches this push moved (created, updated or deleted), for what follows a push (deploys, mirror). */
    List<PushedBranch> moved() {
        return List.copyOf(moved);
    }

    @Override
    public void onPreReceive(ReceivePack rp, Collection<ReceiveCommand> commands) {
        List<ReceiveCommand> pending = commands.stream().filter(c -> c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED).toList();
        if (pending.isEmpty()) {
            return;
        }
        List<String> refusals = new ArrayList<>();
        try {
            Map<String, Ref> before = rp.getAdvertisedRefs();
            for (ReceiveCommand cmd : pending) {
                refusals.addAll(check(rp, cmd, before.values()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!refusals.isEmpty()) {
            refuseAll(rp, pending, refusals);
            return;
        }
        for (ReceiveCommand cmd : pending) {
            move(rp, cmd);
        }
    }

    /** What is wrong with one command; empty when it may go ahead. */
    private List<String> check(ReceivePack rp, ReceiveCommand cmd, Collection<Ref> existing) throws IOException {
        String ref = cmd.getRefName();
        if (!ref.startsWith(Constants.R_HEADS) || !validBranch(ref.substring(Constants.R_HEADS.length()))) {
            return List.of(ref + ": only branches (refs/heads/…) of letters, digits, '.', '_', '-' and '/' can be pushed");
        }
        boolean main = ref.equals(MAIN);
        if (cmd.getType() == ReceiveCommand.Type.DELETE) {
            return main && !settings.allowMainRewrite()
                    ? List.of(ref + ": deleting main is not allowed (the app's allowMainRewrite setting is off)")
                    : List.of();
        }
        if (cmd.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD && main && !settings.allowMainRewrite()) {
            return List.of(ref + ": non-fast-forward updates of main are not allowed (fetch, merge or rebase, push again)");
        }
        return checkNewCommits(rp, cmd, existing);
    }

    private static boolean validBranch(String b) {
        return !b.isEmpty() && b.length() <= 100 && b.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")
                && Repository.isValidRefName(Constants.R_HEADS + b);
    }

    /**
     * The commits this command brings that no ref had: each file they add or change (against
     * every parent, as git's combined diff reads a merge) passes push protection; each new tip's
     * tree stays within the import's entry and path limits.
     */
    private List<String> checkNewCommits(ReceivePack rp, ReceiveCommand cmd, Collection<Ref> existing) throws IOException {
        List<String> out = new ArrayList<>();
        ObjectReader reader = rp.getRevWalk().getObjectReader();
        SecretScanner scanner = new SecretScanner();
        try (RevWalk walk = new RevWalk(reader)) {
            RevCommit tip;
            try {
                tip = walk.parseCommit(cmd.getNewId());
            } catch (IOException e) {
                return List.of(cmd.getRefName() + ": " + cmd.getNewId().name() + " is not a commit");
            }
            out.addAll(checkTree(reader, tip));
            walk.markStart(tip);
            for (Ref r : existing) {
                if (r.getObjectId() != null && !r.isSymbolic()) {
                    try {
                        walk.markUninteresting(walk.parseCommit(r.getObjectId()));
                    } catch (IOException notACommit) {
                        // refs here always name commits; anything else cannot hide new commits
                    }
                }
            }
            for (RevCommit c; (c = walk.next()) != null; ) {
                out.addAll(checkCommit(reader, scanner, walk, c));
            }
        }
        return out;
    }

    private List<String> checkTree(ObjectReader reader, RevCommit tip) throws IOException {
        int entries = 0;
        try (TreeWalk tw = new TreeWalk(reader)) {
            tw.setRecursive(true);
            tw.addTree(tip.getTree());
            while (tw.next()) {
                entries++;
                if (tw.getPathString().length() > limits.maxPathChars()) {
                    return List.of(tw.getPathString().substring(0, 80) + "…: path longer than " + limits.maxPathChars() + " characters");
                }
                if (tw.getFileMode(0) == FileMode.GITLINK) {
                    return List.of(tw.getPathString() + ": submodules are not supported");
                }
            }
        }
        return entries > limits.maxEntries()
                ? List.of(tip.name() + ": " + entries + " files, more than the " + limits.maxEntries() + " an app may have")
                : List.of();
    }

    private List<String> checkCommit(ObjectReader reader, SecretScanner scanner, RevWalk walk, RevCommit c) throws IOException {
        List<String> out = new ArrayList<>();
        try (TreeWalk tw = new TreeWalk(reader)) {
            tw.setRecursive(true);
            tw.addTree(c.getTree());
            for (RevCommit p : c.getParents()) {
                tw.addTree(walk.parseCommit(p).getTree());
            }
            while (tw.next()) {
                if (!FileMode.REGULAR_FILE.equals(tw.getRawMode(0)) && !FileMode.EXECUTABLE_FILE.equals(tw.getRawMode(0))) {
                    continue;
                }
                ObjectId blob = tw.getObjectId(0);
                boolean isNew = true;
                for (int i = 1; i < tw.getTreeCount(); i++) {
                    if (blob.equals(tw.getObjectId(i))) {
                        isNew = false;
                        break;
                    }
                }
                if (!isNew) {
                    continue;
                }
                String path = tw.getPathString();
                String name = path.substring(path.lastIndexOf('/') + 1);
                String at = " (commit " + c.abbreviate(10).name() + ")";
                if (EnvFile.isEnvFileName(name)) {
                    out.add(path + ": env-file" + at + ": env files stay out of git; set the variables with PUT /apps/{appId}/environment");
                    continue;
                }
                if (reader.getObjectSize(blob, Constants.OBJ_BLOB) <= SecretScanner.MAX_FILE_BYTES) {
                    for (Finding f : scanner.scanContent(path, reader.open(blob, Constants.OBJ_BLOB).getCachedBytes())) {
                        if (Finding.CRITICAL.equals(f.severity())) {
                            out.add(path + ":" + f.line() + ": " + f.rule() + at + ": " + f.redacted());
                        }
                    }
                }
            }
        }
        return out;
    }

    private void refuseAll(ReceivePack rp, List<ReceiveCommand> pending, List<String> refusals) {
        rp.sendMessage("error: push refused, nothing was written:");
        refusals.stream().limit(MAX_REFUSALS_SHOWN).forEach(r -> rp.sendMessage("error:   " + r));
        if (refusals.size() > MAX_REFUSALS_SHOWN) {
            rp.sendMessage("error:   … and " + (refusals.size() - MAX_REFUSALS_SHOWN) + " more");
        }
        String first = refusals.get(0);
        for (ReceiveCommand cmd : pending) {
            cmd.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON,
                    "refused: " + (first.length() > 120 ? first.substring(0, 120) + "…" : first));
        }
        repo.unlistPacksWrittenHere();
        LOG.info("push to {} refused: {}", repo.appId(), refusals);
    }

    /** One ref's compare-and-set with its audit event in one transaction. */
    private void move(ReceivePack rp, ReceiveCommand cmd) {
        String ref = cmd.getRefName();
        String branch = ref.substring(Constants.R_HEADS.length());
        boolean delete = cmd.getType() == ReceiveCommand.Type.DELETE;
        ObjectId old = ObjectId.zeroId().equals(cmd.getOldId()) ? null : cmd.getOldId();
        for (int attempt = 1; ; attempt++) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            ObjectNode before = Json.object();
            before.put("commit", old == null ? null : old.name());
            ObjectNode after = Json.object();
            after.put("branch", branch);
            after.put("commit", delete ? null : cmd.getNewId().name());
            after.put("forced", cmd.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD);
            String action = delete ? "git.branch-deleted" : "git.pushed";
            AuditEvent event = AuditEvent.next(ledger.head(repo.appId()), repo.appId(), now, actor, action,
                    "app/" + repo.appId() + "/branch/" + branch, before, after);
            var tx = TransactWriteItemsEnhancedRequest.builder();
            List<WriteConflict.Part> parts = new ArrayList<>(ledger.appendTo(tx, event));
            parts.add(delete ? table.addRefRemoval(tx, repo.appId(), ref, old)
                    : table.addRefMove(tx, repo.appId(), ref, old, cmd.getNewId()));
            try {
                Transactions.write(dynamo, tx.build(), parts);
                cmd.setResult(ReceiveCommand.Result.OK);
                PushedBranch pushed = new PushedBranch(branch, old, delete ? null : cmd.getNewId());
                moved.add(pushed);
                afterMove.apply(pushed).ifPresent(rp::sendMessage); // a deployment it started, say
                return;
            } catch (WriteConflict e) {
                if (e.part() == WriteConflict.Part.REF) {
                    cmd.setResult(ReceiveCommand.Result.LOCK_FAILURE, "the branch moved during the push; fetch and push again");
                    return;
                }
                if (attempt >= MAX_AUDIT_ATTEMPTS) {
                    cmd.setResult(ReceiveCommand.Result.LOCK_FAILURE, "the app kept changing during the push; push again");
                    return;
                }
                Transactions.pauseAfterConflict(attempt); // another change took the audit head first
            }
        }
    }
}
