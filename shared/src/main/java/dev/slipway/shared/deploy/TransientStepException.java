package dev.slipway.shared.deploy;

/**
 * A deploy step failed for a reason that may pass (a dependency did not answer, a race was lost):
 * the state machine retries it with backoff. Matched by class name in deploy.asl.json.
 */
public class TransientStepException extends RuntimeException {
    public TransientStepException(String message) {
        super(message);
    }
}
