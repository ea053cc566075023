package dev.slipway.shared.imports.findings;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Something an import noticed that the owner should know: a secret taken out of the tree or found
 * in the source, or a reason Slipway cannot build the app. Never carries a secret's value: only
 * {@code redacted}, which keeps at most a recognisable prefix and the last characters.
 *
 * @param rule     stable id of the rule, e.g. {@code env-file}, {@code stripe-live-key}, {@code next-needs-server}
 * @param severity {@code critical}, {@code warning} or {@code info}
 * @param file     path in the imported tree, or null when the finding is about the whole app
 * @param line     1-based line, or null
 * @param redacted the value with all but a safe prefix/suffix masked, or null
 * @param message  one sentence for people
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(String rule, String severity, String file, Integer line, String redacted, String message) {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";
    public static final String INFO = "info";
}
