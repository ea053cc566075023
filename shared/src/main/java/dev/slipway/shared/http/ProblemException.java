package dev.slipway.shared.http;

import dev.slipway.shared.errors.FieldError;

import java.util.List;

/**
 * A problem answer of the HTTP layer itself (bad JSON, unknown route, Idempotency-Key rules …), or a
 * refusal of the core translated by {@link ProblemTable}. The core throws {@code DomainException}.
 */
public class ProblemException extends RuntimeException {
    private final ProblemType type;
    private final List<FieldError> errors;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, List.of());
    }

    public ProblemException(ProblemType type, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    public ProblemType type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }

}
