package dev.slipway.shared.http;

import java.util.List;

/** Thrown by the core for any request that must end in a 4xx problem answer. */
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

    /** One invalid value, located by a JSON Pointer (RFC 6901) into the request body. */
    public record FieldError(String pointer, String detail) {
    }
}
