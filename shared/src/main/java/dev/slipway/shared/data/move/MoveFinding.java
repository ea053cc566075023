package dev.slipway.shared.data.move;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Something of the source that a move does not carry to the target, or carries only as data: a rule id (stable,
 * for tools), how much it matters ({@code warning}: the app behaves differently on the target until someone acts;
 * {@code info}: left behind by design), what it is about ({@code object}: a schema, table, policy, extension or
 * folder) and what to do, in words.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MoveFinding(String rule, String severity, String object, String message) {
    public static final String WARNING = "warning";
    public static final String INFO = "info";
}
