package dev.slipway.shared.store;

import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;

import java.util.ArrayList;
import java.util.List;

/** Writes one concern adds to another's transaction, so both commit or neither does. */
@FunctionalInterface
public interface TransactionPart {
    TransactionPart NONE = tx -> List.of();

    /** Adds its writes; returns what each added write is, in order, for conflict reporting. */
    List<WriteConflict.Part> addTo(TransactWriteItemsEnhancedRequest.Builder tx);

    /** This part, then {@code other}, in the same transaction. */
    default TransactionPart and(TransactionPart other) {
        return tx -> {
            List<WriteConflict.Part> parts = new ArrayList<>(addTo(tx));
            parts.addAll(other.addTo(tx));
            return parts;
        };
    }
}
