package dev.slipway.local.stepfunctions;

/** Thrown once by a test task; pipeline.asl.json retries it by its class name, as Step Functions would. */
class TransientError extends RuntimeException {
    TransientError(String message) {
        super(message);
    }
}
