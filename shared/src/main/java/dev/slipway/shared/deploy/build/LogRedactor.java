package dev.slipway.shared.deploy.build;

import dev.slipway.shared.imports.scan.Redaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs build log lines: every given environment value of at least {@link #MIN_VALUE_LENGTH} characters
 * becomes {@code [redacted:NAME]} (longest values first, so a value containing another is replaced whole),
 * then anything that looks like a vendor token (JWT, Stripe, AWS key id, GitHub, npm, GitLab, Slack,
 * Supabase secret, OpenAI/Anthropic, PEM private-key header) becomes its {@link Redaction} form.
 */
final class LogRedactor {
    static final int MIN_VALUE_LENGTH = 4;

    private static final Pattern TOKEN = Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:"
                    + "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]+"
                    + "|[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"
                    + "|(?:AKIA|ASIA)[0-9A-Z]{16}"
                    + "|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
                    + "|npm_[A-Za-z0-9]{30,}"
                    + "|glpat-[A-Za-z0-9_-]{20,}"
                    + "|xox[bpas]-[A-Za-z0-9-]{10,}"
                    + "|sb_secret_[A-Za-z0-9_-]{10,}"
                    + "|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
                    + ")");
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (?:RSA |EC |OPENSSH |DSA |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----");

    private record Secret(String name, String value) {
    }

    private final List<Secret> secrets = new ArrayList<>();

    LogRedactor(Map<String, String> values) {
        values.forEach((name, value) -> {
            if (value != null && value.length() >= MIN_VALUE_LENGTH) {
                secrets.add(new Secret(name, value));
            }
        });
        secrets.sort(Comparator.comparingInt((Secret s) -> s.value.length()).reversed()
                .thenComparing(Secret::name));
    }

    String redact(String line) {
        if (line == null || line.isEmpty()) {
            return line;
        }
        String out = line;
        for (Secret s : secrets) {
            if (out.contains(s.value)) {
                out = out.replace(s.value, "[redacted:" + s.name + "]");
            }
        }
        Matcher m = TOKEN.matcher(out);
        if (m.find()) {
            StringBuilder sb = new StringBuilder();
            do {
                m.appendReplacement(sb, Matcher.quoteReplacement(Redaction.redact(m.group())));
            } while (m.find());
            m.appendTail(sb);
            out = sb.toString();
        }
        if (PRIVATE_KEY.matcher(out).find()) {
            return "[redacted: a private key]";
        }
        return out;
    }
}
