package dev.slipway.shared.store;

import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Runs a DynamoDB transaction and turns a failed condition into a {@link WriteConflict}. */
public final class Transactions {
    private Transactions() {
    }

    /**
     * @param parts what each position of the transaction is, so a cancellation can say which
     *              condition failed
     */
    public static void write(DynamoDbEnhancedClient client, TransactWriteItemsEnhancedRequest request,
                             List<WriteConflict.Part> parts) {
        try {
            client.transactWriteItems(request);
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            for (int i = 0; i < reasons.size(); i++) {
                if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                    WriteConflict.Part part = i < parts.size() ? parts.get(i) : WriteConflict.Part.UNKNOWN;
                    throw new WriteConflict(part, "condition failed on " + part);
                }
            }
            // TransactionConflict: another transaction touched the same items at the same time.
            if (reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()))) {
                throw new WriteConflict(WriteConflict.Part.UNKNOWN, "transaction conflict");
            }
            throw e;
        }
    }

    /**
     * Waits before a writer that lost a race ({@link WriteConflict}) reads again and retries: a few
     * milliseconds, jittered and growing with {@code attempt}, so racing writers of one item spread out.
     */
    public static void pauseAfterConflict(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L + 10L * Math.min(attempt, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
