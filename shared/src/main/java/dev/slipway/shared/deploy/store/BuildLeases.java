package dev.slipway.shared.deploy.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One build at a time per build key ({@code lease#<buildKey>} in the app's partition): the
 * deployment that claims the lease builds; others of the same inputs wait for its READY release
 * instead of building it again. A lease ends when its release is READY or its deployment fails
 * ({@link #release}, {@link #releaseHeldBy}), or when it expires: a holder that vanished (an
 * aborted execution, a killed local runtime) never blocks a build key for longer than {@link #LENGTH}.
 */
public interface BuildLeases {
    /**
     * How long a claim holds: the longest a build can take before it must have ended — CodeBuild's queue and
     * build limits ({@code QueuedTimeoutInMinutes: 30} + {@code TimeoutInMinutes: 20} in template.yaml; locally
     * {@code LocalRuntime.BUILD_TIME_LIMIT}) — plus 10 minutes for exporting the source and staging and
     * verifying the output. A holder still working after it
     * loses only exclusivity: a waiter takes over and builds too (two READY releases, both correct).
     */
    Duration LENGTH = Duration.ofMinutes(60);

    /**
     * How long a deployment waits for another one's build before it fails: longer than {@link #LENGTH},
     * so a holder that vanished is taken over first. Bounded by the clock, not only by the state
     * machine's count of waits, so the cleanup's deploy window ({@code ReleaseSweeper.DEPLOY_WINDOW})
     * covers a deployment that waited.
     */
    Duration LONGEST_WAIT = Duration.ofMinutes(70);

    /** The lease as stored: {@code holder} (a deployment id) builds {@code buildKey} until {@code heldUntil}. */
    record Lease(String appId, String buildKey, String holder, Instant heldUntil) {
        public boolean heldBy(String deploymentId) {
            return holder.equals(deploymentId);
        }
    }

    /**
     * Claims the build of {@code buildKey} for {@code deploymentId} until {@code heldUntil}, if the
     * lease is free, expired by {@code now}, or already this deployment's (a retried step: the claim
     * is renewed). Answers the lease as it stands after the call: this deployment's when it won,
     * otherwise the live holder's.
     */
    Lease claim(String appId, String buildKey, String deploymentId, Instant now, Instant heldUntil);

    /** The lease of {@code buildKey} as stored (an expired one included), if any. */
    Optional<Lease> find(String appId, String buildKey);

    /** Ends the lease if {@code deploymentId} still holds it (true); anyone else's lease, or none, is left as it is. */
    boolean release(String appId, String buildKey, String deploymentId);

    /** Ends every lease {@code deploymentId} holds in the app (a failed deployment knows no build key); returns how many. */
    int releaseHeldBy(String appId, String deploymentId);
}
