package dev.slipway.shared.errors;

import java.util.List;

/**
 * The core refuses a request: which rule ({@link DomainError}), a sentence for the caller, and the
 * invalid values when there are several. No stack trace: it is an answer, not a fault.
 */
public class DomainException extends RuntimeException {
    private final DomainError error;
    private final List<FieldError> errors;

    public DomainException(DomainError error, String detail) {
        this(error, detail, List.of());
    }

    public DomainException(DomainError error, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.error = error;
        this.errors = List.copyOf(errors);
    }

    public DomainError error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
