package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the deploy state machine (its execution name is {@code id}), with each step's start,
 * end and outcome so the API can tell a person what happened without the Step Functions console.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Deployment(
        String appId,
        String id,
        String ref,
        DeployTarget target,
        Status status,
        String commit,
        String tree,
        String releaseId,
        Boolean reusedRelease,
        List<Step> steps,
        String failure,
        String startedBy,
        Instant createdAt,
        Instant finishedAt,
        long version,
        Boolean promoted,
        String note,
        Migrations migrations) {

    public enum Status { RUNNING, SUCCEEDED, FAILED }

    /** outcome: null while running, then {@code succeeded}, {@code skipped} or {@code failed: reason}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, Instant startedAt, Instant endedAt, String outcome, Integer attempts) {
    }

    /**
     * What the ApplyMigrations step did to the target's database: the migrations' kind (supabase, prisma, drizzle),
     * the ones this deployment applied (in order) and how many were applied before it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Migrations(String kind, List<String> applied, int alreadyApplied) {
        public Migrations {
            applied = applied == null ? List.of() : List.copyOf(applied);
        }
    }

    @JsonCreator
    public Deployment {
        steps = steps == null ? List.of() : List.copyOf(steps);
        target = target == null ? DeployTarget.PRODUCTION : target; // stored before deployments had targets
    }

    public Deployment(String appId, String id, String ref, DeployTarget target, Status status, String commit, String tree,
                      String releaseId, Boolean reusedRelease, List<Step> steps, String failure, String startedBy,
                      Instant createdAt, Instant finishedAt, long version) {
        this(appId, id, ref, target, status, commit, tree, releaseId, reusedRelease, steps, failure, startedBy, createdAt,
                finishedAt, version, null, null, null);
    }

    public Deployment withMigrations(Migrations done) {
        return new Deployment(appId, id, ref, target, status, commit, tree, releaseId, reusedRelease, steps, failure,
                startedBy, createdAt, finishedAt, version + 1, promoted, note, done);
    }

    public boolean finished() {
        return status != Status.RUNNING;
    }

    public Deployment withStepStarted(String name, Instant now) {
        List<Step> next = new ArrayList<>();
        boolean found = false;
        for (Step s : steps) {
            if (s.name().equals(name)) {
                // A retried task starts again: count attempts, keep the first start.
                int attempts = s.attempts() == null ? 2 : s.attempts() + 1;
                next.add(new Step(name, s.startedAt(), null, null, attempts));
                found = true;
            } else {
                next.add(s);
            }
        }
        if (!found) {
            next.add(new Step(name, now, null, null, null));
        }
        return with(next);
    }

    public Deployment withStepEnded(String name, String outcome, Instant now) {
        List<Step> next = new ArrayList<>();
        boolean found = false;
        for (Step s : steps) {
            if (s.name().equals(name)) {
                next.add(new Step(name, s.startedAt(), now, outcome, s.attempts()));
                found = true;
            } else {
                next.add(s);
            }
        }
        if (!found) {
            next.add(new Step(name, now, now, outcome, null));
        }
        return with(next);
    }

    /** Ends every open step with {@code outcome} (a failed deployment leaves none open). */
    public Deployment withOpenStepsEnded(String outcome, Instant now) {
        List<Step> next = new ArrayList<>();
        for (Step s : steps) {
            next.add(s.endedAt() == null ? new Step(s.name(), s.startedAt(), now, outcome, s.attempts()) : s);
        }
        return with(next);
    }

    public Deployment withSource(String newCommit, String newTree) {
        return new Deployment(appId, id, ref, target, status, newCommit, newTree, releaseId, reusedRelease, steps, failure,
                startedBy, createdAt, finishedAt, version + 1, promoted, note, migrations);
    }

    public Deployment withRelease(String newReleaseId, boolean reused) {
        return new Deployment(appId, id, ref, target, status, commit, tree, newReleaseId, reused, steps, failure,
                startedBy, createdAt, finishedAt, version + 1, promoted, note, migrations);
    }

    public Deployment succeeded(Instant now) {
        return new Deployment(appId, id, ref, target, Status.SUCCEEDED, commit, tree, releaseId, reusedRelease, steps, null,
                startedBy, createdAt, now, version + 1, true, null, migrations);
    }

    /** Ended SUCCEEDED without moving production (it is pinned): staged and verified, reachable at its release URL. */
    public Deployment stagedNotPromoted(String why, Instant now) {
        return new Deployment(appId, id, ref, target, Status.SUCCEEDED, commit, tree, releaseId, reusedRelease, steps, null,
                startedBy, createdAt, now, version + 1, false, why, migrations);
    }

    public Deployment failed(String reason, Instant now) {
        return new Deployment(appId, id, ref, target, Status.FAILED, commit, tree, releaseId, reusedRelease,
                withOpenStepsEnded("failed", now).steps, reason, startedBy, createdAt, now, version + 1, promoted, note, migrations);
    }

    private Deployment with(List<Step> newSteps) {
        return new Deployment(appId, id, ref, target, status, commit, tree, releaseId, reusedRelease, newSteps, failure,
                startedBy, createdAt, finishedAt, version + 1, promoted, note, migrations);
    }

    /** What audit events record of a deployment (no step timings). */
    public ObjectNode audited() {
        ObjectNode n = Json.object();
        n.put("deploymentId", id);
        n.put("ref", ref);
        n.put("target", target.wire());
        n.put("commit", commit);
        n.put("status", status.name());
        if (failure != null) {
            n.put("failure", failure);
        }
        if (releaseId != null) {
            n.put("releaseId", releaseId);
        }
        if (promoted != null) {
            n.put("promoted", promoted);
        }
        if (note != null) {
            n.put("note", note);
        }
        if (migrations != null) {
            n.set("migrations", Json.MAPPER.valueToTree(migrations));
        }
        return n;
    }
}
