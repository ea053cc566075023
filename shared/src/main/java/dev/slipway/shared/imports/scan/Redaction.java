package dev.slipway.shared.imports.scan;

import java.util.List;

/**
 * Turns a secret into something safe to store, log and show: enough to recognise which key it is,
 * never enough to use or guess it.
 *
 * <p>Format: {@code <known prefix>…<last 4>}, where the mask is the single character {@code …}
 * (U+2026), whatever the length of the hidden part (so the length is not revealed either).
 * <ul>
 *   <li>The known prefix is kept only when the value starts with one of {@link #KNOWN_PREFIXES}
 *       (vendor markers such as {@code sk_live_}, {@code AKIA}, {@code eyJ}, which carry no secret).</li>
 *   <li>The last 4 characters are kept only when the part after the prefix is at least 16 characters
 *       long, so at most a quarter of a short secret's secret part is ever shown.</li>
 *   <li>Values shorter than 16 characters are masked completely: {@code …}.</li>
 * </ul>
 * Examples: {@code sk_live_51H…9xQz}, {@code eyJ…c2Ff}, {@code AKIA…7XYZ}, {@code …}.
 */
public final class Redaction {
    /** The mask: one horizontal ellipsis. */
    public static final String MASK = "\u2026";
    /** Below this total length nothing but the mask is returned. */
    public static final int MIN_LENGTH_FOR_HINTS = 16;
    private static final int TAIL = 4;

    /** Non-secret vendor prefixes, longest first so the most specific one wins. */
    static final List<String> KNOWN_PREFIXES = List.of(
            "sb_publishable_", "github_pat_", "sb_secret_", "slwt_",
            "sk_live_", "rk_live_", "sk_test_", "rk_test_", "pk_live_", "pk_test_",
            "sk-proj-", "sk-ant-", "whsec_", "glpat-", "xoxb-", "xoxp-",
            "ghp_", "gho_", "ghs_", "ghu_", "npm_", "AKIA", "ASIA", "AIza", "eyJ", "SG.", "sk-");

    private Redaction() {
    }

    /** The redacted form of {@code secret}; null stays null. Never returns the middle of the value. */
    public static String redact(String secret) {
        if (secret == null) {
            return null;
        }
        if (secret.length() < MIN_LENGTH_FOR_HINTS) {
            return MASK;
        }
        String prefix = "";
        for (String p : KNOWN_PREFIXES) {
            if (secret.startsWith(p) && secret.length() > p.length()) {
                prefix = p;
                break;
            }
        }
        String body = secret.substring(prefix.length());
        String tail = body.length() >= MIN_LENGTH_FOR_HINTS ? body.substring(body.length() - TAIL) : "";
        return prefix + MASK + tail;
    }
}
