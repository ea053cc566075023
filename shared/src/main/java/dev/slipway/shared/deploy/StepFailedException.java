package dev.slipway.shared.deploy;

/**
 * A deploy step failed for good (the build broke, the files do not match): no retry; the state
 * machine's Catch marks the deployment FAILED with this message as the reason.
 */
public class StepFailedException extends RuntimeException {
    public StepFailedException(String message) {
        super(message);
    }
}
